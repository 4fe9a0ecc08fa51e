malloc.py -A +100,-0,+100 -c
exit status 0
