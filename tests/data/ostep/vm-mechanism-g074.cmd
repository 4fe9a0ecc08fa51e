relocation.py -n -3 -c
exit status 0
