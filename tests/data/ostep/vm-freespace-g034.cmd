malloc.py -s 2 -n 30 -p FIRST -l ADDRSORT -c
exit status 0
