relocation.py -s 1_000 -c
exit status 0
