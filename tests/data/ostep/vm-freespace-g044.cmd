malloc.py -s 4 -n 20 -H 4 -a 4 -c
exit status 0
