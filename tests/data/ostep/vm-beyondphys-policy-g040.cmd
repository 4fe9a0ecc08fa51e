paging-policy.py -a 1,2,3,4 -C 3 -p UNOPT -c
exit status 0
