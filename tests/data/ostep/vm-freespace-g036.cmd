malloc.py -s 2 -n 30 -p FIRST -l SIZESORT+ -c
exit status 0
