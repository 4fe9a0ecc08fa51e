relocation.py -s 3 -c
exit status 0
