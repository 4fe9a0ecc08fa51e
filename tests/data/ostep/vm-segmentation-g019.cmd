segmentation.py -a 15 -p 100 -b 0 -l 7 -B 100 -L 7 -A 6,7,8,14 -c
exit status 0
