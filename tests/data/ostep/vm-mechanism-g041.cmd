relocation.py -a -100 -s 2 -c
exit status 0
