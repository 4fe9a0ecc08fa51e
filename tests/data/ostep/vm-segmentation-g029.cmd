segmentation.py -s 8 -B 9000 -c
exit status 0
