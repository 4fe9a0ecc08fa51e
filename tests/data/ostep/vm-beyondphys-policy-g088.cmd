paging-policy.py --c
exit status 2
# optparse: paging-policy.py: error: ambiguous option: --c (--cachesize, --clockbits, --compute?)
