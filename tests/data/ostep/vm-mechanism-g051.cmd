relocation.py --compute=1
exit status 2
# optparse: relocation.py: error: --compute option does not take a value
