paging-linear-translate.py -a 24 -p 64 -P 8 -c
exit status 1
