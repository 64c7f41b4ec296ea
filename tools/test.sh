#!/usr/bin/env bash
# Set up, build, and run every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "test.sh: setting up dependencies"
./tools/setup.sh
echo "test.sh: building"
./tools/build.sh
build_dir="${RMQSIM_BUILD_DIR:-build}"
echo "test.sh: running ctest in $build_dir"
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)"
