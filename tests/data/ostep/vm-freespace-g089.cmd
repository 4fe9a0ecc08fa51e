malloc.py --allocList=+4,-0 -c
exit status 0
