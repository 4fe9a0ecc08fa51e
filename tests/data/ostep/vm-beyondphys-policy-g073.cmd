paging-policy.py -s ' 1_2 ' -c
exit status 0
