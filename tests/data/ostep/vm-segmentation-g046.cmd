segmentation.py -A 0x10 -c
exit status 2
# python3 exits 1 with a traceback (ValueError: invalid literal for int() with base 10: '0x10'); vmlab reports an error
