paging-linear-translate.py -a 32 -p 128 -P 4 -u 75 -v -A 0,1,31
exit status 0
