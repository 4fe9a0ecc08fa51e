malloc.py -s 3 -n 30 -p FIRST -l SIZESORT+ -C -c
exit status 0
