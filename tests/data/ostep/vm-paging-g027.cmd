paging-linear-translate.py -a 16k -p 48k -P 4k -s 6 -c
exit status 0
