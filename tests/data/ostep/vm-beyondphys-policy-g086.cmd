paging-policy.py --notrace --compute --numaddrs=30 --maxpage 4 --seed=9 --policy RAND
exit status 0
