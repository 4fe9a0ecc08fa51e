malloc.py -s 8 -c
exit status 0
