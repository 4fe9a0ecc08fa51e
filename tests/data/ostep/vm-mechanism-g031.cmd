relocation.py -b 100 -l 200 -c
exit status 0
