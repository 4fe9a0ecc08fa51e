relocation.py -l -5 -c
exit status 0
