relocation.py -n 20 -s 11 -c
exit status 0
