malloc.py -A +3,+5,+7,-1,-0,+4,-2,+6 -p BEST -l SIZESORT+ -C -c
exit status 0
