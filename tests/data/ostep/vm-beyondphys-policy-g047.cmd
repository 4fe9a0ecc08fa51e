paging-policy.py -p LRU -N -s 3 -n 50 -c
exit status 0
