paging-policy.py -C 0 -c
exit status 2
# python3 exits 1 with a traceback (IndexError: pop from empty list); vmlab reports an error
