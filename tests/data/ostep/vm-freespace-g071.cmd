malloc.py -A +0,+0 -c
exit status 2
# python3 exits 1 with a traceback (AssertionError); vmlab reports an error
