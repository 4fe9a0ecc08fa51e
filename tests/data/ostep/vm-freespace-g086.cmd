malloc.py -S x
exit status 2
# optparse: malloc.py: error: option -S: invalid integer value: 'x'
