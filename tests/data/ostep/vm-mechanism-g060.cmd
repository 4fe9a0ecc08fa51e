relocation.py --se 5 --comp
exit status 0
