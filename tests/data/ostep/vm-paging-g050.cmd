paging-linear-translate.py --pagesize=1k --asize 4k --physmem=8k --used=60 --numaddrs 4 -s 2 -vc
exit status 0
