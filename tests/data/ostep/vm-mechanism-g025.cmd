relocation.py -a 16k -p 1m -c -s 3
exit status 0
