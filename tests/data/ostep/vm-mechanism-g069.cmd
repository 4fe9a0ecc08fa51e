relocation.py --he
exit status 0
