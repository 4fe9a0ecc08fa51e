relocation.py -b 0 -l 1024 -c -s 7
exit status 0
