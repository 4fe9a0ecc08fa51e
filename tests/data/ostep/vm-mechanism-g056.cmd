relocation.py --seed 5 --compute
exit status 0
