paging-linear-translate.py -a 64k -c
exit status 1
