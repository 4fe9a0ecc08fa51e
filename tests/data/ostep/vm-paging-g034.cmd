paging-linear-translate.py -a 1g -p 2g -c
exit status 1
