malloc.py -s 6 -n 20 -H 3 -p WORST -c
exit status 0
