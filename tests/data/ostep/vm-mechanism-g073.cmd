relocation.py -n 0 -c
exit status 0
