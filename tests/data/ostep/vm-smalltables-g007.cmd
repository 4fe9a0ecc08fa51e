paging-multilevel-translate.py -a 0 -c
exit status 0
