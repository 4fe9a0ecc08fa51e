paging-linear-translate.py -P -4 -c
exit status 2
# python3 exits 1 with a traceback (ValueError: math domain error); vmlab reports an error
