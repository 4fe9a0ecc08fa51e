relocation.py -a 1m -p 1g -s 2 -c
exit status 0
