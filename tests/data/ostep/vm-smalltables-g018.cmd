paging-multilevel-translate.py --solve=yes
exit status 2
# optparse: paging-multilevel-translate.py: error: --solve option does not take a value
