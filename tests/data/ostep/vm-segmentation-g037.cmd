segmentation.py -b 16000 -l 500 -B 1000 -L 100 -c
exit status 1
