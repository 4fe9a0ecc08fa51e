relocation.py -b 16000 -l 1000 -c
exit status 1
