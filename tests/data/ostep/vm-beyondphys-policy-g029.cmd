paging-policy.py -p RAND -f traces/belady.txt -C 3 -c
exit status 0
