segmentation.py -b 1000 -l 100 -B 600 -L 100 -A 0,99,100,923,924,1023 -c
exit status 0
