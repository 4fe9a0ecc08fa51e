segmentation.py -A 0,2000 -c -s 1
exit status 1
