relocation.py -s -7
exit status 0
