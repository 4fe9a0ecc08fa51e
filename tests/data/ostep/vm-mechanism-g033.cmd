relocation.py -b 15000 -l 1384 -c -s 1
exit status 0
