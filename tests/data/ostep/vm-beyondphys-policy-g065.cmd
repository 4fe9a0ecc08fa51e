paging-policy.py -C 1 -s 2 -p MRU -c
exit status 0
