malloc.py -A +10,-0,+20,-1,+5
exit status 0
