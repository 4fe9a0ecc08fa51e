paging-linear-translate.py -P 8 -a 32 -p 1024 -v -n 10 -s 2 -c
exit status 0
