malloc.py -A +3,+5,+7,-2,-1,-0 -l INSERT-BACK -C -c
exit status 0
