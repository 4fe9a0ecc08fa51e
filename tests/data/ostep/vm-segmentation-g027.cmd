segmentation.py -s 6 -L 100 -c
exit status 0
