paging-multilevel-translate.py -a -3 -n 4 -c
exit status 0
