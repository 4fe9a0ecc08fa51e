relocation.py --seed=
exit status 2
# optparse: relocation.py: error: option --seed: invalid integer value: ''
