paging-linear-translate.py -a 1k -p 2k -P 1 -u 10 -n 3 -s 7 -c
exit status 0
