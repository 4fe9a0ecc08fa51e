paging-linear-translate.py -P -4 -a 24 -p 96 -c
exit status 1
