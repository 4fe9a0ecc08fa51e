paging-linear-translate.py -u x
exit status 2
# optparse: paging-linear-translate.py: error: option -u: invalid integer value: 'x'
