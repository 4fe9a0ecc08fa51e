paging-policy.py -a 5,-1,3,4,6 -C 2 -p CLOCK -c
exit status 0
