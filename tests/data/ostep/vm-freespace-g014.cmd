malloc.py -s 2 -n 30 -p BEST -l ADDRSORT -c
exit status 0
