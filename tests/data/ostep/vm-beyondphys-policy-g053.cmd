paging-policy.py -f traces/spaces.txt -c
exit status 0
