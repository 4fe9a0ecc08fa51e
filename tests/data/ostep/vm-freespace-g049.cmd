malloc.py -s 9 -n 40 -P 100 -c
exit status 0
