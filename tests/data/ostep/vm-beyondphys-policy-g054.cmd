paging-policy.py -f traces/spaces.txt -a 1,2 -c
exit status 0
