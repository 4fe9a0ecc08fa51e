#!/usr/bin/env bash
# The layering rules (scripts/check_layers.py) hold for the source tree, and the checker
# itself catches a report that includes the kernel, an hw file that includes os/, toml++
# outside config/, the kernel's private header outside os/, and an app reaching into src/.
#   layers.sh VMLAB_BINARY SOURCE_DIR
set -u
src=$2
py=/usr/bin/python3
[ -x "$py" ] || py=python3
failures=0
if ! "$py" "$src/scripts/check_layers.py" "$src"; then
  echo "FAIL: the source tree breaks the layering rules"; failures=$((failures + 1))
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/include/vmlab/report" "$tmp/src/hw" "$tmp/src/os" "$tmp/src/report" "$tmp/src/sim" "$tmp/apps/vmlab" "$tmp/bench"
printf '#include "vmlab/os/kernel.hpp"\n#include "vmlab/os/stats.hpp"\n' >"$tmp/include/vmlab/report/r.hpp"
printf '#include "vmlab/core/types.hpp"\n#include "vmlab/os/kernel.hpp"\n' >"$tmp/src/hw/h.cpp"
printf '#include <toml++/toml.hpp>\n' >"$tmp/src/report/t.cpp"
printf '// the kernel model'"'"'s shared state\n' >"$tmp/src/os/internal.hpp"
printf '#include "os/internal.hpp"\n' >"$tmp/src/sim/s.cpp"
printf '#include "os/internal.hpp"\n' >"$tmp/apps/vmlab/a.cpp"
"$py" "$src/scripts/check_layers.py" "$tmp" >"$tmp/out"; rc=$?
expect() {
  grep -qF "$1" "$tmp/out" || { echo "FAIL: the checker did not report: $1"; failures=$((failures + 1)); }
}
[ "$rc" -eq 1 ] || { echo "FAIL: the checker exited $rc on a broken tree"; failures=$((failures + 1)); }
expect "include/vmlab/report/r.hpp:1: report/ formats plain types; it may not include vmlab/os/kernel.hpp"
expect "src/hw/h.cpp:2: hw/ may not include vmlab/os/kernel.hpp"
expect "src/report/t.cpp:1: report/ may not include <toml++/toml.hpp>"
expect "src/sim/s.cpp:1: src/os/internal.hpp is private to os/"
expect "apps/vmlab/a.cpp:1: apps/ includes only include/vmlab/ headers"
if grep -q "r.hpp:2" "$tmp/out"; then echo "FAIL: report may include os/stats.hpp"; failures=$((failures + 1)); fi
[ "$(grep -cE ':[0-9]+: ' "$tmp/out")" -eq 5 ] || { echo "FAIL: expected exactly 5 violations:"; cat "$tmp/out"; failures=$((failures + 1)); }
if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "layers: the tree follows the rules and the checker catches each kind of break"
