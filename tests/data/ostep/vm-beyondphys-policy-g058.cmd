paging-policy.py -f traces/empty.txt
exit status 0
