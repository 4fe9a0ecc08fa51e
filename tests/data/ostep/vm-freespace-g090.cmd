malloc.py -h
exit status 0
