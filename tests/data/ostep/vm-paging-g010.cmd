paging-linear-translate.py -s 9 -c
exit status 0
