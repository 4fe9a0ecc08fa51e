segmentation.py -s 2
exit status 0
