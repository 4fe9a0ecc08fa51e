malloc.py -A +3,+5,-0,+1 -H 4 -a 4 -c
exit status 0
