relocation.py -h -s x
exit status 0
