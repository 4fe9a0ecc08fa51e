paging-policy.py -s 10 -c
exit status 0
