paging-linear-translate.py -A 4294967296,4294979137 -c
exit status 0
