relocation.py -s 4294967296 -c
exit status 0
