malloc.py -s 3 -n 30 -p WORST -l INSERT-BACK -C -c
exit status 0
