malloc.py -s 5 -n 20 -H 2 -a 8 -p FIRST -l INSERT-FRONT -C -c
exit status 0
