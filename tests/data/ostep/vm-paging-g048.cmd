paging-linear-translate.py -s 0o17 -c
exit status 0
