relocation.py -n 1.5
exit status 2
# optparse: relocation.py: error: option -n: invalid integer value: '1.5'
