paging-multilevel-translate.py -a 32 -n 20 -s 5 -c
exit status 0
