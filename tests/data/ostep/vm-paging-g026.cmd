paging-linear-translate.py -a 1m -p 512m -P 64k -v -s 5 -c
exit status 0
