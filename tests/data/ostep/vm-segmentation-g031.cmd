segmentation.py -s 99999999999999999999 -c
exit status 0
