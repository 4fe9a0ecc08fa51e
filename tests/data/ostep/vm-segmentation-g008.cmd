segmentation.py -s 7 -c
exit status 0
