#!/usr/bin/env bash
# `vmlab list`: every registry's entries in aligned columns (the descriptions of one kind
# start in the same column, two spaces after its longest name), parameters indented under
# their entry, and an unknown kind is an error (exit 2) naming the kinds.
#   list_cli.sh VMLAB_BINARY SOURCE_DIR
set -u
vmlab=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
"$vmlab" list >"$tmp/out" 2>"$tmp/err" || fail "vmlab list exited $?"
# For each kind: the column where entry descriptions start must be the same for all its
# entries, and equal to 2 + the longest name + 2.
awk '
  /^[a-z-]+ — / { kind = $1; next }
  /^  [^ ]/ {
    name = $1; rest = substr($0, 3 + length(name));
    match(rest, /^ +/); col = 2 + length(name) + RLENGTH;
    if (kind in c && c[kind] != col) { print "misaligned: " kind " " name; bad = 1 }
    c[kind] = col; if (length(name) > w[kind]) w[kind] = length(name);
  }
  END {
    for (k in c) if (c[k] != w[k] + 4) { print "column of " k " is " c[k] ", expected " w[k] + 4; bad = 1 }
    exit bad
  }' "$tmp/out" || fail "vmlab list columns are not aligned"
for k in frame-allocator ostep-simulator paging-format proc-report tlb-replacement; do
  grep -q "^$k — " "$tmp/out" || fail "vmlab list lacks the kind $k"
done
grep -q "^      max_order = 0  (integer" "$tmp/out" || fail "buddy's max_order parameter is not listed under it"
"$vmlab" list no-such-kind >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "vmlab list no-such-kind exited $rc, expected 2"
grep -q "unknown kind 'no-such-kind'; kinds: frame-allocator" "$tmp/err" || fail "the error does not name the kinds: $(cat "$tmp/err")"
if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "list: aligned columns, parameters under their entries, unknown kinds rejected"
