relocation.py foo -c bar -s 2
exit status 0
