malloc.py -A +10,,+5 -c
exit status 2
# python3 exits 1 with a traceback (IndexError: string index out of range); vmlab reports an error
