segmentation.py -b 1000 -l 100 -B 600 -L 100 -c
exit status 0
