paging-multilevel-translate.py -a 96 -s 3 -c
exit status 2
# python3 exits 1 with a traceback (AssertionError); vmlab reports an error
