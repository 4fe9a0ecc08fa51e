relocation.py -a 2g -p 4G -s 2 -c
exit status 0
