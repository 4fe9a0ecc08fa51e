paging-linear-translate.py --v
exit status 2
# optparse: paging-linear-translate.py: error: no such option: --v
