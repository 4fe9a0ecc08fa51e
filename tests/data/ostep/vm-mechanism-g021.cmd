relocation.py -s 0b -c
exit status 0
