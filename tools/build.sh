#!/usr/bin/env bash
# Configures (once) and builds rmqsim in ./build (or $RMQSIM_BUILD_DIR). Used by run.sh and test.sh.
# RMQSIM_JOBS caps the compile jobs (default: nproc), e.g. on a machine shared with others.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${RMQSIM_BUILD_DIR:-build}"
build_type="${RMQSIM_BUILD_TYPE:-Release}"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  echo "build: configuring $build_dir ($build_type)"
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="$build_type" ${RMQSIM_CMAKE_ARGS:-} >/dev/null
fi
echo "build: compiling in $build_dir"
cmake --build "$build_dir" --parallel "${RMQSIM_JOBS:-$(nproc)}" "$@"
