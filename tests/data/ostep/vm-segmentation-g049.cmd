segmentation.py -a 1.0k -c
exit status 2
# python3 exits 1 with a traceback (ValueError: invalid literal for int() with base 10: '1.0'); vmlab reports an error
