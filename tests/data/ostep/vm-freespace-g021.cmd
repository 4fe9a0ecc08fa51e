malloc.py -s 3 -n 30 -p BEST -l INSERT-FRONT -C -c
exit status 0
