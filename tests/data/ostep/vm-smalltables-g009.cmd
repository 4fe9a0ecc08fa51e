paging-multilevel-translate.py -a 1 -s 2 -c
exit status 0
