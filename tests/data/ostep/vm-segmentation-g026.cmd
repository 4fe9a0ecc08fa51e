segmentation.py -s 5 -l 300 -c
exit status 0
