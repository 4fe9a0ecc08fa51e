#!/usr/bin/env bash
# `vmlab explain --tour`: each lesson is there and shows what it claims.
#   explain_tour_cli.sh VMLAB_BINARY SOURCE_DIR
set -u
vmlab=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
has() { grep -qF -- "$1" "$tmp/out" || { echo "FAIL: tour output lacks: $1"; failures=$((failures + 1)); }; }

"$vmlab" explain --tour >"$tmp/out" 2>"$tmp/err" || { echo "FAIL: vmlab explain --tour exited $?"; cat "$tmp/err"; exit 1; }
has "Address translation on x86_64: "
has "1. A cold translation."
# Cold: four entries read, PML4 to PT.
[ "$(sed -n '/^1\. A cold/,/^2\. /p' "$tmp/out" | grep -c 'entry at PA')" -eq 4 ] \
  || { echo "FAIL: the cold walk does not read 4 entries"; failures=$((failures + 1)); }
has "2. The same page again."
has "TLB: hit in L1D-4K (4 KiB pages"
has "page-walk cache hit"
has "4. A 2 MiB page."
has "-> 2 MiB page at"
has "FAULT (protection): a user write is not permitted"
has "FAULT (non-canonical)"
has "Statistics (CPU 0)"
has "translations 6  TLB hits 1"

# Every preset has a tour.
for p in $("$vmlab" config presets | awk '{print $1}'); do
  "$vmlab" explain --tour --preset "$p" >"$tmp/out" 2>"$tmp/err" || { echo "FAIL: explain --tour --preset $p"; cat "$tmp/err"; failures=$((failures + 1)); }
done
"$vmlab" explain --tour --preset nope >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || { echo "FAIL: explain --tour --preset nope should exit 2"; failures=$((failures + 1)); }
"$vmlab" explain --tour 0x1000 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || { echo "FAIL: explain --tour with an ADDR should exit 2"; failures=$((failures + 1)); }

if [ $failures -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "ok"
