paging-policy.py -p LRU -s 1 -C 4 -m 8 -n 20 -c
exit status 0
