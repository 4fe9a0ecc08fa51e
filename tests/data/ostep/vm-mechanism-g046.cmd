relocation.py -x
exit status 2
# optparse: relocation.py: error: no such option: -x
