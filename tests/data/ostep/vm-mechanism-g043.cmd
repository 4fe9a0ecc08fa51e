relocation.py -a 1.5k -c
exit status 2
# python3 exits 1 with a traceback (ValueError: invalid literal for int() with base 10: '1.5'); vmlab reports an error
