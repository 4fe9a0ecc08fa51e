paging-policy.py -C 0 -p CLOCK -c
exit status 2
# python3 exits 1 with a traceback (IndexError: list index out of range); vmlab reports an error
