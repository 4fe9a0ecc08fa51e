malloc.py -s 8 -n 40 -r 30 -S 200 -b 0 -c
exit status 0
