relocation.py -s 2 -c
exit status 0
