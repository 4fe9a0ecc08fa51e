paging-policy.py -a 1,2,3,1,2,3,4,3,2,1 -C 3 -p UNOPT -c
exit status 0
