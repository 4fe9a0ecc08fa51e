segmentation.py -s 4 -a 100 -p 1000 -c
exit status 0
