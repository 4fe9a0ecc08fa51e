malloc.py -s 2 -n 30 -p BEST -l SIZESORT+ -c
exit status 0
