malloc.py -s 6 -c
exit status 0
