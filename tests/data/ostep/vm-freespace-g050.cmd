malloc.py -s 9 -n 10 -P 1 -c
exit status 0
