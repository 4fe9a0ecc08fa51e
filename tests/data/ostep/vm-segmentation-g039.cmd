segmentation.py -b 0 -l 600 -B 4000 -L 100 -c
exit status 1
