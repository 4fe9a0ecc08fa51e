paging-multilevel-translate.py --seed=6 --allocated 8 --addresses=6 --solve
exit status 0
