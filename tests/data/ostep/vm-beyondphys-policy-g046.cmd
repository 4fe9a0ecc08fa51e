paging-policy.py -p CLOCK -a 1,1,1,2,3,4,1,5 -C 3 -s 1 -c
exit status 0
