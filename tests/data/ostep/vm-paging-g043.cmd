paging-linear-translate.py -A -1 -c
exit status 0
