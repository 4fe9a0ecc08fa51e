relocation.py -l 100 -c -s 6
exit status 0
