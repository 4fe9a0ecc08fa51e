paging-policy.py -a 1,x,2 -c
exit status 2
# python3 exits 1 with a traceback (ValueError: invalid literal for int() with base 10: 'x'); vmlab reports an error
