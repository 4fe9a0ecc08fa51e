paging-linear-translate.py -p 1g -c
exit status 1
