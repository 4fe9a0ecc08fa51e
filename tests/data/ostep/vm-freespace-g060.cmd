malloc.py -A +3,+5,+7,-1,-0,+4,-2,+6 -p FIRST -l INSERT-FRONT -c
exit status 0
