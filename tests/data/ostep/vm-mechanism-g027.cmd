relocation.py -a 1K -p 16K -s 5 -c
exit status 0
