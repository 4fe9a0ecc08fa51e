segmentation.py -a 1k -p 2k -c
exit status 1
