malloc.py -s 12 -n 15 -S 10 -c
exit status 0
