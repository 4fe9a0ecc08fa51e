segmentation.py -a 1k -p 1k -c
exit status 1
