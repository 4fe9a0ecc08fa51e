paging-policy.py -p LRU -f traces/belady.txt -C 3 -c
exit status 0
