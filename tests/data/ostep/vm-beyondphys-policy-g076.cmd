paging-policy.py -m -5 -n 6 -s 4 -c
exit status 0
