malloc.py -s 3 -n 30 -p FIRST -l ADDRSORT -C -c
exit status 0
