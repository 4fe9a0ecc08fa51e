segmentation.py -s 3 -a 64k -p 1m -c
exit status 0
