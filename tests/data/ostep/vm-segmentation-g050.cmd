segmentation.py --b0=0 --l0=20 --b1=512 --l1=20 -a 128 -p 512 --addresses=0,127 -c
exit status 0
