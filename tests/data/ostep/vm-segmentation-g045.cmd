segmentation.py -A 5,-1 -c -s 1
exit status 1
