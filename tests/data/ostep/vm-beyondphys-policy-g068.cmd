paging-policy.py -n 0
exit status 0
