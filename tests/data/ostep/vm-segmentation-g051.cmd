segmentation.py --numaddrs 3 -c
exit status 0
