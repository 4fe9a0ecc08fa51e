relocation.py -s 010 -c
exit status 0
