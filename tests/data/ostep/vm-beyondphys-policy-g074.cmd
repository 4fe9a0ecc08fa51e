paging-policy.py -n ten -c
exit status 2
# python3 exits 1 with a traceback (ValueError: invalid literal for int() with base 10: 'ten'); vmlab reports an error
