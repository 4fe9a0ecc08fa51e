paging-policy.py -p UNOPT -f traces/belady.txt -C 3 -c
exit status 0
