paging-policy.py -p RAND -s 0 -C 4 -m 8 -n 20 -c
exit status 0
