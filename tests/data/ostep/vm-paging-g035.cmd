paging-linear-translate.py -a 0 -c
exit status 1
