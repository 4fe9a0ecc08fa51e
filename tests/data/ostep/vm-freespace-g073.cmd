malloc.py -A +-3,+4 -c
exit status 0
