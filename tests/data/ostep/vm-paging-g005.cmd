paging-linear-translate.py -s 4 -c
exit status 0
