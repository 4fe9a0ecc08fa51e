malloc.py -s 0
exit status 0
