paging-policy.py --addressfile traces/belady.txt --compute --clockbits=1 --policy=CLOCK
exit status 0
