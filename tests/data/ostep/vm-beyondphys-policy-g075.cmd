paging-policy.py -m 100 -n 15 -s 4 -c
exit status 0
