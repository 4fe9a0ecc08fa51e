segmentation.py -p 4 -c
exit status 1
