segmentation.py --b 1
exit status 2
# optparse: segmentation.py: error: ambiguous option: --b (--b0, --b1?)
