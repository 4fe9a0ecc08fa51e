paging-linear-translate.py -A 20000
exit status 0
