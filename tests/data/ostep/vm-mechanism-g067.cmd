relocation.py -h
exit status 0
