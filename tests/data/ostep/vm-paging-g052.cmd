paging-linear-translate.py -h
exit status 0
