paging-policy.py -p LFU -c
exit status 1
