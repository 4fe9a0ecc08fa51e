malloc.py -s 2 -n 30 -p WORST -l INSERT-BACK -c
exit status 0
