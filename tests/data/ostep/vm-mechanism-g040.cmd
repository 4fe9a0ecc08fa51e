relocation.py -a 16k -p 16k -c
exit status 1
