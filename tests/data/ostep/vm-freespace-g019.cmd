malloc.py -s 3 -n 30 -p BEST -l SIZESORT- -C -c
exit status 0
