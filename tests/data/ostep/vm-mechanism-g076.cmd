relocation.py -n 0x10 -s 12 -c
exit status 0
