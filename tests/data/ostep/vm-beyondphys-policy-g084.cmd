paging-policy.py -b 0x2 -p CLOCK -c
exit status 0
