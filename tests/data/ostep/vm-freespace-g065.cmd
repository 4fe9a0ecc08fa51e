malloc.py -A +10,-5 -c
exit status 0
