malloc.py -A '+ 4,-+0' -c
exit status 0
