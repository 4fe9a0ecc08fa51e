malloc.py -s 9 -n 10 -P 200 -c
exit status 0
