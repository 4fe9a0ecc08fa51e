#!/usr/bin/env bash
# `vmlab explain`: the CS:APP example against the book's numbers, exit statuses and messages.
#   explain_cli.sh VMLAB_BINARY SOURCE_DIR
set -u
vmlab=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

expect() {  # expect STATUS STDERR_SUBSTRING -- ARGS...
  local want_rc=$1 want_err=$2
  shift 3
  "$vmlab" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" != "$want_rc" ]; then
    echo "FAIL: vmlab $* exited $rc, expected $want_rc"; cat "$tmp/err"; failures=$((failures + 1)); return
  fi
  if [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$tmp/err"; then
    echo "FAIL: vmlab $*: stderr lacks: $want_err"; cat "$tmp/err"; failures=$((failures + 1))
  fi
}
has() {  # has LINE: the last stdout contains this line (fixed string)
  grep -qF -- "$1" "$tmp/out" || { echo "FAIL: output lacks: $1"; failures=$((failures + 1)); }
}

# CS:APP 3e §9.6.4: VA 0x03d4 -> VPN 0x0f, VPO 0x14, TLBI 3, TLBT 0x03, TLB hit, PPN 0x0d, PA 0x354.
expect 0 "" -- explain --state "$src/examples/csapp-small.state.toml" 0x03d4 0x027c 0x03a9 0x0040 0x0b8f
has "PTE[13:6] = 0x0f   offset[5:0] = 0x14"
has "level 1  TLB         64 B pages  set 3  tag 0x03  -> hit (way 1)"
has "PA 0x354  (frame 0x0d + offset 0x14, 64 B page)  1 cycle"
has "memory[0x354] = 0x36"
# Practice problems 9.11-9.13: 0x027c -> PA 0x5fc, 0x03a9 -> PA 0x469, 0x0040 -> page fault.
has "PA 0x5fc  (frame 0x17 + offset 0x3c, 64 B page)"
has "PA 0x469  (frame 0x11 + offset 0x29, 64 B page)"
has "FAULT (not-present): the level-0 entry (PTE) is not valid"
has "translations 5  TLB hits 1  walks 4 (4 entry reads)  faults 2"

expect 0 "" -- explain --json --state "$src/examples/csapp-small.state.toml" 0x03d4
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); t=j["translations"][0]; assert t["result"]["pa"]=="0x354" and t["tlb"][0]["hit"], t' "$tmp/out" \
  || { echo "FAIL: JSON for 0x03d4"; failures=$((failures + 1)); }

# An OSTEP memory dump (paging-multilevel-translate.py -s 0 -c): VA 0x611c -> PDE 0xa1,
# PTE 0xb5 -> PA 0x6bc, value 0x08, as the simulator prints.
expect 0 "" -- explain --state "$src/tests/data/ostep/vm-smalltables-001.out" 0x611c
has "PDE    index 0x18  entry at PA 0xd98 = 0xa1  [valid 1, pfn 0x21] -> table at 0x420"
has "PTE    index 0x08  entry at PA 0x428 = 0xb5  [valid 1, pfn 0x35] -> 32 B page at 0x6a0"
has "memory[0x6bc] = 0x08"
expect 2 "needs the ostep-multilevel machine" -- explain --preset x86_64 --state "$src/tests/data/ostep/vm-smalltables-001.out"

# The default machine and its demo address space.
expect 0 "" -- explain
has "No --state given: a demo address space (CPU 0, ASID 1):"
expect 0 "" -- explain --write 0x500000
has "FAULT (protection)"
expect 0 "" -- explain --preset riscv-sv39 --set machine.memory.bytes=1G

# Bad input: exit 2 with a message naming the problem and its place.
expect 2 "vmlab: address '0x12zz': '0x12zz' is not a number" -- explain 0x12zz
expect 2 "cannot open state file" -- explain --state "$tmp/none.toml" 0x0
printf 'machine = "csapp-small"\n\n[[page]]\nvpn = 1\nppm = 2\n' >"$tmp/bad.toml"
expect 2 "vmlab: $tmp/bad.toml:5:1: unknown key 'page[0].ppm'; did you mean 'ppn'?" -- explain --state "$tmp/bad.toml" 0x40
printf 'machine = "csapp-small"\n[[tlb]\n' >"$tmp/syntax.toml"
expect 2 "vmlab: $tmp/syntax.toml:2:" -- explain --state "$tmp/syntax.toml" 0x40
expect 2 "unknown preset 'x86'; did you mean 'x86_64'?" -- explain --preset x86 0x0
expect 2 "" -- explain --write --exec 0x0

if [ $failures -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "ok"
