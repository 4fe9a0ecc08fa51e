relocation.py --a 1k
exit status 2
# optparse: relocation.py: error: ambiguous option: --a (--addresses, --asize?)
