segmentation.py -a 16 -p 64 -b 0 -l 4 -B 32 -L 4 -A 0,3,4,7,8,11,12,15 -c
exit status 0
