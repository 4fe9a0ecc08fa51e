relocation.py -s -1 -c
exit status 0
