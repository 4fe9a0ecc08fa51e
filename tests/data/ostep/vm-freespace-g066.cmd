malloc.py -A +10,-0,-0 -c
exit status 0
