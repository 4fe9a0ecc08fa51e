malloc.py -s 11 -n 10 -r -5 -c
exit status 0
