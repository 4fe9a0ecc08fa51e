relocation.py -cs5
exit status 0
