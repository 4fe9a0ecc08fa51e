relocation.py -s
exit status 2
# optparse: relocation.py: error: -s option requires 1 argument
