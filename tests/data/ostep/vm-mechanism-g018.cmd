relocation.py -s 0x1f -c
exit status 0
