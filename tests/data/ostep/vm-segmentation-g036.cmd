segmentation.py -a 1k -p 2k -b 0 -l 100 -B 2000 -L 100 -s 1 -c
exit status 0
