paging-linear-translate.py -s 3 -v -c
exit status 0
