segmentation.py -h
exit status 0
