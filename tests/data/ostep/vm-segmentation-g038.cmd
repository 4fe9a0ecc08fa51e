segmentation.py -b 0 -l 100 -B 17000 -L 100 -c
exit status 1
