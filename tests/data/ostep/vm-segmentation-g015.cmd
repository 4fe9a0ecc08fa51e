segmentation.py -a 128 -p 512 -b 0 -l 20 -B 512 -L 20 -s 1 -c
exit status 0
