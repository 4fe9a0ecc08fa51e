segmentation.py -s 1 -n 10 -c
exit status 0
