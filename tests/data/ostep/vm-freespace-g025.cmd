malloc.py -s 3 -n 30 -p WORST -l ADDRSORT -C -c
exit status 0
