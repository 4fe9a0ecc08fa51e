paging-policy.py -h
exit status 0
