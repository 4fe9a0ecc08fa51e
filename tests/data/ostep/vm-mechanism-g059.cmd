relocation.py -cs 5
exit status 0
