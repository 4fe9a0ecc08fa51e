paging-linear-translate.py -s 4 -v
exit status 0
