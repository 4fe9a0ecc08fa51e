paging-policy.py -p CLOCK -b 3 -s 7 -C 3 -m 6 -n 25 -c
exit status 0
