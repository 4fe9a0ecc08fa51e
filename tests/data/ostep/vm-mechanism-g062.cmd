relocation.py --addr=3 -c
exit status 0
