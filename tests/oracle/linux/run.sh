#!/usr/bin/env bash
# Compiles the Linux reference programs and runs them on this machine.
#
#   tests/oracle/linux/run.sh              run each program 5 times, check the outputs are
#                                          identical, print them
#   tests/oracle/linux/run.sh --record     ... and write them to tests/data/linux/NAME.out
#   tests/oracle/linux/run.sh --check      ... and compare them with tests/data/linux/NAME.out
#   tests/oracle/linux/run.sh [opts] NAME  only the named programs (file names without .c)
#
# Environment: ORACLE_RUNS (default 5), ORACLE_WORKDIR (where the programs create their
# files; default a fresh directory under /var/tmp, a disk-backed file system).
# Exit status: 0 all stable (and matching with --check), 1 otherwise, 2 usage/build error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
data="$root/tests/data/linux"
mode=print
names=()
for a in "$@"; do
  case "$a" in
    --record) mode=record ;;
    --check) mode=check ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $a" >&2; exit 2 ;;
    *) names+=("$a") ;;
  esac
done
if [ ${#names[@]} -eq 0 ]; then
  for f in "$here"/*.c; do names+=("$(basename "$f" .c)"); done
fi
runs=${ORACLE_RUNS:-5}
bin=$(mktemp -d /tmp/vmlab-oracle-bin.XXXXXX)
work=${ORACLE_WORKDIR:-$(mktemp -d /var/tmp/vmlab-oracle-work.XXXXXX)}
trap 'rm -rf "$bin"; [ -n "${ORACLE_WORKDIR:-}" ] || rm -rf "$work"' EXIT
mkdir -p "$work"
status=0
for n in "${names[@]}"; do
  src="$here/$n.c"
  [ -f "$src" ] || { echo "run.sh: no program $n" >&2; exit 2; }
  gcc -std=gnu11 -O1 -Wall -Wextra -Werror -o "$bin/$n" "$src" || exit 2
  first=""
  stable=1
  for ((i = 1; i <= runs; i++)); do
    out=$(cd "$work" && "$bin/$n") || { echo "run.sh: $n exited with status $? (run $i)" >&2; status=1; stable=0; break; }
    if [ -z "$first" ]; then first=$out
    elif [ "$out" != "$first" ]; then
      echo "run.sh: $n: run $i differs from run 1:" >&2
      diff <(echo "$first") <(echo "$out") >&2 || true
      stable=0; status=1
    fi
  done
  case "$mode" in
    print) echo "$first" ;;
    record)
      if [ $stable -eq 1 ]; then mkdir -p "$data"; echo "$first" > "$data/$n.out"; echo "recorded $n ($runs identical runs)"
      else echo "run.sh: $n not recorded (unstable)" >&2; fi ;;
    check)
      if [ ! -f "$data/$n.out" ]; then echo "run.sh: $n: no recorded output" >&2; status=1
      elif ! diff <(grep -v '^#' "$data/$n.out") <(echo "$first" | grep -v '^#') >/dev/null; then
        echo "run.sh: $n differs from $data/$n.out:" >&2
        diff <(grep -v '^#' "$data/$n.out") <(echo "$first" | grep -v '^#') >&2 || true
        status=1
      else echo "ok $n"; fi ;;
  esac
done
exit $status
