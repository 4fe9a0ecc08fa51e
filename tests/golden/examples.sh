#!/usr/bin/env bash
# Every examples/NAME.lua with an examples/NAME.out must print exactly that (byte for
# byte); `vmlab tour` must print examples/tour.out.
#   examples.sh VMLAB_BINARY SOURCE_DIR
set -u
vmlab=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
count=0
for lua in "$src"/examples/*.lua; do
  out="${lua%.lua}.out"
  [ -f "$out" ] || continue
  count=$((count + 1))
  if ! "$vmlab" run "$lua" >"$tmp/got" 2>"$tmp/err"; then
    echo "FAIL: vmlab run $lua exited non-zero"; cat "$tmp/err"; failures=$((failures + 1)); continue
  fi
  if ! cmp -s "$tmp/got" "$out"; then
    echo "FAIL: $lua differs from $out:"; diff "$out" "$tmp/got" | head -20; failures=$((failures + 1))
  fi
done
"$vmlab" tour >"$tmp/tour" 2>&1 || { echo "FAIL: vmlab tour exited non-zero"; failures=$((failures + 1)); }
cmp -s "$tmp/tour" "$src/examples/tour.out" || { echo "FAIL: vmlab tour differs from examples/tour.out"; diff "$src/examples/tour.out" "$tmp/tour" | head; failures=$((failures + 1)); }
if [ "$count" -lt 9 ]; then echo "FAIL: only $count examples with expected output"; failures=$((failures + 1)); fi
if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "examples: $count scenarios and the tour match their expected output"
