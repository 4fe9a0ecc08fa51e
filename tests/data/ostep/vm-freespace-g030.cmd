malloc.py -s 2 -n 30 -p WORST -l INSERT-FRONT -c
exit status 0
