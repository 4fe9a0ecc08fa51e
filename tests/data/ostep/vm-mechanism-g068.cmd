relocation.py --help
exit status 0
