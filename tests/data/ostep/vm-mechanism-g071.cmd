relocation.py -s x -h
exit status 2
# optparse: relocation.py: error: option -s: invalid integer value: 'x'
