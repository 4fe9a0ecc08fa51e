#!/usr/bin/env bash
# `vmlab config`: exit statuses and messages of the CLI.
#   config_cli.sh VMLAB_BINARY SOURCE_DIR
set -u
vmlab=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

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
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  "$@" || { echo "FAIL: $what"; failures=$((failures + 1)); }
}

expect 0 "" -- config presets
check "presets marks x86_64 as the default" grep -q '^x86_64 .*(default)$' "$tmp/out"
check "nine presets" test "$(wc -l <"$tmp/out")" -eq 9

expect 0 "" -- config show-preset csapp-small
check "show-preset prints the file" grep -q '^format = "csapp-small"' "$tmp/out"
expect 2 "vmlab: unknown preset 'aarch64-4'; did you mean 'aarch64-4k'?" -- config show-preset aarch64-4

expect 0 "" -- config dump
expect 0 "" -- config dump --preset riscv-sv39 --set machine.memory.bytes=2G --set 'machine.mmu.tlb[0].entries=64'
check "--set bytes in the dump" grep -q '^bytes = "2G"' "$tmp/out"
check "--set tlb[0].entries in the dump" grep -q '^entries = 64' "$tmp/out"

# The dump reads back and dumps identically.
"$vmlab" config dump --preset aarch64-16k --set machine.cpus=2 >"$tmp/a.toml"
expect 0 "" -- config dump --config "$tmp/a.toml"
check "dump round trip" cmp -s "$tmp/a.toml" "$tmp/out"

expect 2 "vmlab: unknown preset 'x86'; did you mean 'x86_64'?" -- config dump --preset x86
expect 2 "vmlab: --set: unknown key 'machine.memory.byts'; did you mean 'bytes'?" -- config dump --set machine.memory.byts=2G
expect 2 "vmlab: --set: 'machine.cpus': 0 is out of range (1..4096)" -- config dump --set machine.cpus=0
expect 2 "cannot open config file '$tmp/missing.toml'" -- config dump --config "$tmp/missing.toml"
expect 2 "" -- config dump --preset x86_64 --config "$tmp/a.toml"
expect 2 "" -- config frobnicate

printf 'preset = "x86_64"\n\n[machine.memory]\nbytes = "2G"\n\n[[machine.mmu.tlb]]\nentires = 3\n' >"$tmp/bad.toml"
expect 2 "vmlab: $tmp/bad.toml:7:1: unknown key 'machine.mmu.tlb[0].entires'; did you mean 'entries'?" -- config dump --config "$tmp/bad.toml"
printf '[machine.memory]\nbytes = true\n' >"$tmp/type.toml"
expect 2 "vmlab: $tmp/type.toml:2:9: 'machine.memory.bytes': expected a size" -- config dump --config "$tmp/type.toml"
printf '[machine\ncpus = 1\n' >"$tmp/syntax.toml"
expect 2 "vmlab: $tmp/syntax.toml:1:9: TOML syntax error" -- config dump --config "$tmp/syntax.toml"
printf 'preset = "aarch64-16"\n' >"$tmp/preset.toml"
expect 2 "vmlab: $tmp/preset.toml:1:10: unknown preset 'aarch64-16'; did you mean 'aarch64-16k'?" -- config dump --config "$tmp/preset.toml"

expect 0 "" -- config reference
check "docs/config.md equals 'vmlab config reference'" cmp -s "$tmp/out" "$src/docs/config.md"

if [ $failures -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "ok"
