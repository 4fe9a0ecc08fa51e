paging-policy.py -f traces/crlf.txt -p LRU -c
exit status 0
