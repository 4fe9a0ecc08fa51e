#!/usr/bin/env bash
# `vmlab ostep`: the real binary prints the Python tools' stdout byte for byte, keeps errors
# on stderr, and exits 0/1 as the tools do and 2 for bad options and Python's crashes.
#   ostep_cli.sh VMLAB_BINARY SOURCE_DIR
set -u
vmlab=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
data=$2/tests/data/ostep
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run STATUS STDERR_SUBSTRING -- ARGS...: runs vmlab ARGS in the data directory.
run() {
  local want_rc=$1 want_err=$2
  shift 3
  (cd "$data" && "$vmlab" "$@") >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ "$rc" = "$want_rc" ] || { fail "vmlab $* exited $rc, expected $want_rc"; cat "$tmp/err"; }
  if [ -n "$want_err" ]; then
    grep -qF -- "$want_err" "$tmp/err" || { fail "vmlab $*: stderr lacks '$want_err'"; cat "$tmp/err"; }
  else
    [ ! -s "$tmp/err" ] || { fail "vmlab $*: unexpected stderr"; cat "$tmp/err"; }
  fi
}
same_as() {  # same_as FILE: the last run's stdout equals FILE byte for byte
  cmp -s "$tmp/out" "$1" || { fail "stdout differs from $1"; diff "$1" "$tmp/out" | head -5; }
}

run 0 "" -- ostep relocation -s 0 -c
same_as "$data/vm-mechanism-001.out"
run 0 "" -- ostep paging-multilevel-translate -s 1 -c
same_as "$data/vm-smalltables-002.out"
run 0 "" -- ostep paging-policy.py -a 0,1,2,0,1,3,0,3,1,2,1 -p FIFO -C 3 -c
same_as "$data/vm-beyondphys-policy-001.out"
run 0 "" -- ostep vm-freespace -s 1 -c
same_as "$data/vm-freespace-002.out"

# The tools' own errors: stdout, status 1, nothing on stderr.
run 1 "" -- ostep segmentation -p 4 -c
grep -qx "Error: must specify a bigger physical memory size" "$tmp/out" || fail "segmentation -p 4: message"
run 1 "" -- ostep paging-policy -p LFU -c

# optparse errors: nothing on stdout, status 2, the message on stderr.
run 2 "no such option: -x" -- ostep relocation -x
[ ! -s "$tmp/out" ] || fail "relocation -x wrote to stdout"
run 2 "option -s: invalid integer value: 'abc'" -- ostep malloc -s abc
run 2 "ambiguous option: --a (--addresses, --asize?)" -- ostep relocation --a 1k

# Python crashes: stdout up to the crash, a vmlab error, status 2.
run 2 "nothing to evict" -- ostep paging-policy -C 0 -c
grep -q "^Solving...$" "$tmp/out" || fail "paging-policy -C 0: stdout before the error is missing"
run 2 "traces/no-such-file.txt" -- ostep paging-policy -f traces/no-such-file.txt -c
run 2 "loops forever" -- ostep relocation -l 20000 -c

# Help pages: the Python tool's, on stdout.
run 0 "" -- ostep malloc -h
head -1 "$tmp/out" | grep -qx "Usage: malloc.py \[options\]" || fail "malloc -h: usage line"
run 0 "" -- ostep --help
grep -q "paging-multilevel-translate" "$tmp/out" || fail "ostep --help lists the simulators"
run 2 "Usage: vmlab ostep SIMULATOR" -- ostep
run 2 "did you mean 'segmentation'" -- ostep segmentaton -c

# vmlab's additions.
run 0 "" -- ostep paging-multilevel --from-dump vm-smalltables-001.out -c
same_as "$data/vm-smalltables-001.out"
run 0 "" -- ostep paging-linear --page-table vm-paging-002.out -c
same_as "$data/vm-paging-002.out"
run 0 "" -- list ostep-simulator
for s in relocation segmentation malloc paging-linear-translate paging-multilevel-translate paging-policy; do
  grep -q "^  $s " "$tmp/out" || fail "vmlab list ostep-simulator lacks $s"
done

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok"
