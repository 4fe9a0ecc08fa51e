relocation.py -s ' 12 ' -c
exit status 0
