paging-policy.py -f traces/blank-line.txt -c
exit status 2
# python3 exits 1 with a traceback (ValueError: invalid literal for int() with base 10: '\n'); vmlab reports an error
