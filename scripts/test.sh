#!/usr/bin/env bash
# Builds the given preset (default: release) and runs the whole test suite with ctest.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
preset=${1:-release}
export CCACHE_BASEDIR="$here" CCACHE_NOHASHDIR=1
[ -f "build/$preset/build.ninja" ] || cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
