relocation.py -p 1k -a 0 -c
exit status 1
