relocation.py --b=100 --l=50 -c
exit status 0
