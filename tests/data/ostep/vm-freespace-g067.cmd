malloc.py -A +10,-0,+10,-0,-0,-1 -c
exit status 0
