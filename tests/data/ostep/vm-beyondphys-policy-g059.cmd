paging-policy.py -f traces/no-such-file.txt -c
exit status 2
# python3 exits 1 with a traceback (FileNotFoundError: [Errno 2] No such file or directory: 'traces/no-such-file.txt'); vmlab reports an error
