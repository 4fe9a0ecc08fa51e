paging-policy.py -p OPT -s 2 -C 4 -m 8 -n 20 -c
exit status 0
