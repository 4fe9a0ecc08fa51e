relocation.py -a 32 -p 128 -n 10 -c -s 4
exit status 0
