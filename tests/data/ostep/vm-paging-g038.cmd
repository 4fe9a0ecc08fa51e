paging-linear-translate.py -P 0 -c
exit status 2
# python3 exits 1 with a traceback (ZeroDivisionError: float division by zero); vmlab reports an error
