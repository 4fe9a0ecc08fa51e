paging-linear-translate.py -A 20000 -c
exit status 2
# python3 exits 1 with a traceback (IndexError: array index out of range); vmlab reports an error
