paging-policy.py -p RAND -a 1,2,3,4,1,2,5,1,2,3,4,5 -C 4 -c
exit status 0
