paging-policy.py -a ' 1, 2 ,+3,1_0' -c
exit status 0
