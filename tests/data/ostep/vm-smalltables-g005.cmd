paging-multilevel-translate.py -s 0
exit status 0
