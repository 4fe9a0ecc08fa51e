relocation.py --nosuch
exit status 2
# optparse: relocation.py: error: no such option: --nosuch
