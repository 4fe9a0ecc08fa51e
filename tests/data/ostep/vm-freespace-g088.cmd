malloc.py --size 50 --baseAddr 0 --headerSize 1 --alignment 2 --range 20 --percentAlloc 60 -s 4 -c
exit status 0
