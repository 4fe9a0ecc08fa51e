segmentation.py -s 7 -b 1000 -c
exit status 0
