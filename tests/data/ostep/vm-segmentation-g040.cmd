segmentation.py -b 0 -l 100 -B 4000 -L 513 -c
exit status 1
