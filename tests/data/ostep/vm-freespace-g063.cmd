malloc.py -A +3,+5,+7,-0,-1,-2 -C -c
exit status 0
