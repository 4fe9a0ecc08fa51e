malloc.py -s 10 -n 30 -P 30 -C -c
exit status 0
