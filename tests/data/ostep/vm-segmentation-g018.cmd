segmentation.py -a 128 -p 512 -b 0 -l 20 -B 512 -L 20 -A 0,19,20,63,64,108,127
exit status 0
