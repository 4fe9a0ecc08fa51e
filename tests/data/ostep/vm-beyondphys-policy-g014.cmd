paging-policy.py -p MRU -f traces/belady.txt -C 3 -c
exit status 0
