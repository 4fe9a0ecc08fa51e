malloc.py -s 2 -n 30 -p WORST -l SIZESORT+ -c
exit status 0
