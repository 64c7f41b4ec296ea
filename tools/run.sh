#!/usr/bin/env bash
# Set up, build (Release), and run the built-in default scenario: the apache/rocketmq#3556
# comparison. Extra arguments go to `rmqsim run`.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "run.sh: setting up dependencies"
./tools/setup.sh
echo "run.sh: building"
./tools/build.sh --target rmqsim
build_dir="${RMQSIM_BUILD_DIR:-build}"
echo "run.sh: $build_dir/rmqsim run --html $build_dir/report.html $*"
"$build_dir/rmqsim" run --html "$build_dir/report.html" "$@"
