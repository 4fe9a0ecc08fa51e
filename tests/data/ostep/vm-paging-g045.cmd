paging-linear-translate.py -A 100,abc -c
exit status 2
# python3 exits 1 with a traceback (ValueError: invalid literal for int() with base 10: 'abc'); vmlab reports an error
