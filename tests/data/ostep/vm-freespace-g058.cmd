malloc.py -A +10,-0,+20,-1,+5 -c
exit status 0
