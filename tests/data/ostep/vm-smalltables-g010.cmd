paging-multilevel-translate.py -a 16 -n 20 -s 3 -c
exit status 0
