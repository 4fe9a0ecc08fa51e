paging-policy.py -a 1,2,3,4,5,1 -C 3 -p OPT -c
exit status 0
