paging-linear-translate.py -s 1
exit status 0
