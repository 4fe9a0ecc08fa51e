paging-linear-translate.py -P 1k -a 16k -p 32k -v -u -10 -s 1 -c
exit status 0
