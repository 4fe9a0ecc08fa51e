segmentation.py -a 16 -p 128 -b 8 -l 8 -B 64 -L 8 -A ' 1 , 9,1_5' -c
exit status 0
