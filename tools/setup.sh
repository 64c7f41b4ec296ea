#!/usr/bin/env bash
# Installs the Debian packages rmqsim needs to build and test, only those that are missing.
# Idempotent: a machine that has everything is left untouched (no apt-get update, no install).
# Works as root, or through sudo otherwise.
#
#   ./tools/setup.sh            build + test dependencies
#   ./tools/setup.sh --bench    also the benchmark comparators (ns-3, SimPy)
#   ./tools/setup.sh --fuzz     also clang's libFuzzer runtime
#   ./tools/setup.sh --browser  also Chromium (HTML report browser test)
set -euo pipefail

packages=(cmake ninja-build g++ make pkg-config catch2 nlohmann-json3-dev libcli11-dev libabsl-dev libyaml-cpp-dev)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(libns3-dev python3-simpy) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --browser) packages+=(chromium) ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing packages (${missing[*]}) and no apt-get: install them by hand" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup: missing packages (${missing[*]}); run as root or install sudo" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq || { echo "setup: apt-get update failed" >&2; exit 1; }
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { echo "setup: apt-get install ${missing[*]} failed" >&2; exit 1; }
echo "setup: done"
