relocation.py -c -- -s 5
exit status 0
