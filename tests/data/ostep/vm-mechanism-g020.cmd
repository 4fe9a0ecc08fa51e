relocation.py -s 0b101 -c
exit status 0
