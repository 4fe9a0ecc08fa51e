segmentation.py -s 2 -n 0 -c
exit status 0
