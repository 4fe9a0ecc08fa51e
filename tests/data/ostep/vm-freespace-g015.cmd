malloc.py -s 3 -n 30 -p BEST -l ADDRSORT -C -c
exit status 0
