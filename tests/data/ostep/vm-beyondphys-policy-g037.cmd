paging-policy.py -s 10
exit status 0
