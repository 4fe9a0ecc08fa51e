paging-policy.py -p LRU -s 3 -n 5
exit status 0
