relocation.py -b 5k -l 1k -c -s 7
exit status 0
