paging-linear-translate.py -a 17k -c
exit status 1
