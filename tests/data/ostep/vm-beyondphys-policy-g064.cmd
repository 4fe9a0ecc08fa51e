paging-policy.py -C -1 -s 2 -c
exit status 0
