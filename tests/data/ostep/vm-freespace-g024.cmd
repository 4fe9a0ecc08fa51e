malloc.py -s 2 -n 30 -p WORST -l ADDRSORT -c
exit status 0
