segmentation.py -a 0 -c
exit status 1
