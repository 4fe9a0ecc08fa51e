#!/usr/bin/env bash
# `vmlab run`: bad scripts and bad options give "vmlab: FILE:LINE: message" and exit 2.
#   run_errors.sh VMLAB_BINARY SOURCE_DIR
set -u
vmlab=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

printf 'print("ok")\n' >"$tmp/ok.lua"
if "$vmlab" run "$tmp/ok.lua" 2>&1 | grep -q "not available in this build"; then
  echo "SKIP: scenarios are not available in this build (no kernel model yet)"
  exit 0
fi

# expect STATUS EXPECTED_STDERR_SUBSTRING -- ARGS...
expect() {
  local want_rc=$1 want_err=$2
  shift 3
  "$vmlab" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" != "$want_rc" ]; then
    echo "FAIL: vmlab $* exited $rc, expected $want_rc"; cat "$tmp/err"; failures=$((failures + 1)); return
  fi
  if [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$tmp/err"; then
    echo "FAIL: vmlab $*: stderr lacks: $want_err"; echo "--- stderr:"; cat "$tmp/err"; failures=$((failures + 1))
  fi
}

expect 0 "" -- run "$tmp/ok.lua"
: >"$tmp/empty.lua"
expect 2 "empty.lua:1: the scenario is empty" -- run "$tmp/empty.lua"
printf 'local p = spawn("a")\nfor i = 1, 10 do\n  p:touch(0, 4096)\n' >"$tmp/truncated.lua"
expect 2 "truncated.lua:4: 'end' expected" -- run "$tmp/truncated.lua"
head -c 3000 /dev/urandom >"$tmp/garbage.lua"
printf '\x00\x01\x02\xff garbage ) ( ]]\n' >>"$tmp/garbage.lua"
expect 2 "garbage.lua:" -- run "$tmp/garbage.lua"
printf 'local n = 0\nwhile true do\n  n = n + 1\nend\n' >"$tmp/loop.lua"
expect 2 "instruction limit of 1000000 exceeded" -- run --max-instructions 1000000 "$tmp/loop.lua"
printf 'local t = {}\nlocal s = string.rep("x", 1 << 30)\n' >"$tmp/huge.lua"
expect 2 "huge.lua:2: not enough memory" -- run "$tmp/huge.lua"
printf 'local p = spawn("a")\nlocal a, e = p:mmap{len = 1 << 60}\nexpect_eq(e, "ENOMEM")\nprint(a, e)\n' >"$tmp/bigmap.lua"
expect 0 "" -- run "$tmp/bigmap.lua"
grep -qx "nil	ENOMEM" "$tmp/out" || { echo "FAIL: huge mmap did not return ENOMEM"; cat "$tmp/out"; failures=$((failures + 1)); }
printf 'local p = spawn("a")\n\nexpect_eq(p.pid, 1, "the first pid")\n' >"$tmp/expect.lua"
expect 2 "expect.lua:3: expectation failed: got 1000 (0x3e8), expected 1 (the first pid)" -- run "$tmp/expect.lua"
printf 'machine{preset = "x86_46"}\n' >"$tmp/preset.lua"
expect 2 "preset.lua:1: machine: " -- run "$tmp/preset.lua"
printf 'local x = nil\nprint(x.y)\n' >"$tmp/nil.lua"
expect 2 "nil.lua:2: attempt to index a nil value" -- run "$tmp/nil.lua"
printf 'io.open("/etc/passwd")\n' >"$tmp/io.lua"
expect 2 "io.lua:1: attempt to index a nil value (global 'io')" -- run "$tmp/io.lua"
printf 'local p = spawn("a")\np:mmap{len = 4096, flags = "private|anonymous|fixd"}\n' >"$tmp/flag.lua"
expect 2 "flag.lua:2: mmap: unknown mmap flag 'fixd'; did you mean 'fixed'?" -- run "$tmp/flag.lua"
printf 'local p = spawn("a")\np:mmap{len = 4096, flag = "shared"}\n' >"$tmp/option.lua"
expect 2 "option.lua:2: mmap: unknown option 'flag'; did you mean 'flags'?" -- run "$tmp/option.lua"
printf 'local p = spawn("a")\nprint(p:setrlimit("stak", 4096))\n' >"$tmp/rlimit.lua"
expect 2 "rlimit.lua:2: setrlimit: unknown resource 'stak'; did you mean 'stack'?" -- run "$tmp/rlimit.lua"
printf '\nmachine{kernel = {fault_around_byte = 4096}}\n' >"$tmp/kernel.lua"
expect 2 "kernel.lua:2: machine: unknown key 'kernel.fault_around_byte'; did you mean 'fault_around_bytes'?" -- run "$tmp/kernel.lua"
expect 2 "cannot open the scenario script" -- run "$tmp/missing.lua"
expect 2 "is a directory" -- run "$tmp"
expect 2 "unknown preset" -- run --preset nope "$tmp/ok.lua"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "run_errors: all passed"
