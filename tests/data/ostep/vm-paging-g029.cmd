paging-linear-translate.py -a 17 -p 64 -P 1 -c
exit status 1
