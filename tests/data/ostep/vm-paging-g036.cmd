paging-linear-translate.py -p 1 -c
exit status 1
