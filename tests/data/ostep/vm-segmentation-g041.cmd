segmentation.py -b 100 -l 200 -B 350 -L 100 -c
exit status 1
