paging-multilevel-translate.py -s -4 -n 3 -c
exit status 0
