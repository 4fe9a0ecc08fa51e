paging-policy.py -p FIFO -f traces/belady.txt -C 3 -c
exit status 0
