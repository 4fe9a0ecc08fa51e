paging-linear-translate.py -A 1,2 -n 0 -s 1 -c
exit status 0
