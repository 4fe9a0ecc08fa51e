relocation.py -ch
exit status 0
