malloc.py -s 2 -n 30 -p FIRST -l INSERT-BACK -c
exit status 0
