malloc.py -A +5,+20,+5,-1 -S 10 -c
exit status 2
# python3 exits 1 with a traceback (KeyError: 1); vmlab reports an error
