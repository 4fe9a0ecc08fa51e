relocation.py -s5 -c
exit status 0
