malloc.py -A +20,-0 -S 10 -c
exit status 0
