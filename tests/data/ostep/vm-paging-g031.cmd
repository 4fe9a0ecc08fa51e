paging-linear-translate.py -a 16k -p 60k -c
exit status 0
