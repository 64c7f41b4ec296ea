#!/usr/bin/env bash
# Installs the Debian packages rmqsim needs to build and test, only those that are missing.
# Idempotent: a machine that has everything is left untouched (no apt-get update, no install).
# Works as root, or through sudo otherwise.
#
#   ./tools/setup.sh            build + test dependencies
#   ./tools/setup.sh --bench    also the benchmark comparators (ns-3, SimPy 3) and hyperfine
#   ./tools/setup.sh --fuzz     also clang's libFuzzer runtime
#   ./tools/setup.sh --browser  also Chromium, Node.js and npm (Debian's, when node/npm are
#                               missing) and the browser test's npm packages: `npm ci` in
#                               tools/browser when node_modules is missing or was installed
#                               from another package-lock.json (tests/browser: HTML report test)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ make pkg-config catch2 nlohmann-json3-dev libcli11-dev libabsl-dev libyaml-cpp-dev libjemalloc-dev)
browser=0
for arg in "$@"; do
  case "$arg" in
    # ns-3's schedulers, SimPy 2 (python3-simpy, the engine issue #7 names) and 3 (python3-simpy3), and hyperfine
    # for tools/bench.sh.
    --bench) packages+=(libns3-dev python3-simpy python3-simpy3 hyperfine) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --browser)
      browser=1
      packages+=(chromium)
      # Node.js may come from elsewhere (another apt source, a machine image): only commands count.
      command -v node >/dev/null 2>&1 || packages+=(nodejs)
      command -v npm >/dev/null 2>&1 || packages+=(npm)
      ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

# tools/browser/node_modules matches package-lock.json when it holds a stamp of the lock file's hash.
browser_modules() {
  [ "$browser" = 1 ] || return 0
  local dir=tools/browser stamp=tools/browser/node_modules/.rmqsim-lock.sha256 want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$dir/node_modules/playwright-core/package.json" ]; then
    return 0
  fi
  echo "setup: npm ci in $dir"
  (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
    || { echo "setup: npm ci in $dir failed" >&2; exit 1; }
  echo "$want" >"$stamp"
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  browser_modules
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
browser_modules
echo "setup: done"
