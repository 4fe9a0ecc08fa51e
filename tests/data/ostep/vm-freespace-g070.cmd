malloc.py -A +5,+200,+5,-2 -c
exit status 0
