paging-policy.py -p OPT -f traces/belady.txt -C 3 -c
exit status 0
