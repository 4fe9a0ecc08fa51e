relocation.py - -c
exit status 0
