#!/usr/bin/env bash
# Installs every Debian package vmlab needs (idempotent, non-interactive), then
# configures and builds the given CMake preset (default: release).
#   scripts/setup.sh [--deps-only] [PRESET...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

PACKAGES=(
  build-essential g++ cmake ninja-build ccache pkg-config git python3
  libfmt-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  liblua5.4-dev libelf-dev libzstd-dev liblz4-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

deps_only=0
presets=()
for a in "$@"; do
  case "$a" in
    --deps-only) deps_only=1 ;;
    *) presets+=("$a") ;;
  esac
done
[ $deps_only -eq 1 ] && exit 0
[ ${#presets[@]} -gt 0 ] || presets=(release)

export CCACHE_BASEDIR="$here" CCACHE_NOHASHDIR=1
for p in "${presets[@]}"; do
  cmake --preset "$p" >/dev/null
  cmake --build --preset "$p"
done
