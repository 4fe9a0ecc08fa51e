paging-policy.py -C 0
exit status 0
