paging-policy.py -p LFU -N -c
exit status 1
