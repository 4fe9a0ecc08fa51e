malloc.py -s 7 -n 20 -H 3
exit status 0
