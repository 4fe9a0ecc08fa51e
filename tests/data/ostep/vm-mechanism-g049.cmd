relocation.py -s 08
exit status 2
# optparse: relocation.py: error: option -s: invalid integer value: '08'
