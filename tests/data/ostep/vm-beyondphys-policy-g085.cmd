paging-policy.py --policy=LRU --cachesize 2 --addresses=1,2,1,3 --compute
exit status 0
