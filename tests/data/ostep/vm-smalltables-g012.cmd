paging-multilevel-translate.py -a 90 -n 5 -s 8 -c
exit status 0
