segmentation.py --solv
exit status 2
# optparse: segmentation.py: error: no such option: --solv
