#!/usr/bin/env bash
# Set up, build, and run every test through ctest. The HTML report's browser tests need Chromium,
# Node.js and tools/browser's npm packages (setup.sh --browser); RMQSIM_SKIP_BROWSER=1 skips both
# their setup and the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "test.sh: setting up dependencies"
if [ "${RMQSIM_SKIP_BROWSER:-}" = 1 ]; then
  ./tools/setup.sh
else
  ./tools/setup.sh --browser
fi
echo "test.sh: building"
./tools/build.sh
build_dir="${RMQSIM_BUILD_DIR:-build}"
echo "test.sh: running ctest in $build_dir"
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)"
