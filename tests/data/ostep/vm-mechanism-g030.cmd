relocation.py -a 100 -p 1000 -s 8 -n 8 -c
exit status 0
