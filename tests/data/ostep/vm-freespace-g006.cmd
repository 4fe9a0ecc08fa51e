malloc.py -s 5 -c
exit status 0
