malloc.py --policy=FIRST --listOrder INSERT-BACK --coalesce --numOps=12 -s 3 --compute
exit status 0
