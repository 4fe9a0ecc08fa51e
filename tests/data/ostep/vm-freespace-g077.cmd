malloc.py -A '+10,*3' -c
exit status 2
# python3 exits 1 with a traceback (NameError: name 'abort' is not defined); vmlab reports an error
