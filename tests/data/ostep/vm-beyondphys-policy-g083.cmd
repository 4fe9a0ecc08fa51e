paging-policy.py -b abc -c
exit status 2
# optparse: paging-policy.py: error: option -b: invalid integer value: 'abc'
