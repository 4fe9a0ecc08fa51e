relocation.py --addresses 3 -c
exit status 0
