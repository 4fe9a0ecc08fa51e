paging-policy.py -p CLOCK -f traces/belady.txt -C 3 -c
exit status 0
