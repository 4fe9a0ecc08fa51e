paging-policy.py -p LFU
exit status 0
