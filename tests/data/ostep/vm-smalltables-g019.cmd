paging-multilevel-translate.py -h
exit status 0
