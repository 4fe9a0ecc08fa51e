malloc.py -s 3 -n 30 -p WORST -l INSERT-FRONT -C -c
exit status 0
