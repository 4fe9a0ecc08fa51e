relocation.py -s abc
exit status 2
# optparse: relocation.py: error: option -s: invalid integer value: 'abc'
