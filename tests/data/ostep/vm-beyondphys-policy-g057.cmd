paging-policy.py -f traces/empty.txt -c
exit status 2
# python3 exits 1 with a traceback (ZeroDivisionError: float division by zero); vmlab reports an error
