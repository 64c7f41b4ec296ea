#!/usr/bin/env bash
# ctest entry for the HTML report browser tests (report_browser_test.mjs; arguments pass through).
# Missing Node.js, Chromium or node modules FAIL with the command that installs them; the only way
# to skip is RMQSIM_SKIP_BROWSER=1 (exit 77, which ctest reports as skipped).
set -euo pipefail
if [ "${RMQSIM_SKIP_BROWSER:-}" = 1 ]; then
  echo "SKIP: RMQSIM_SKIP_BROWSER=1"
  exit 77
fi
if ! command -v node >/dev/null 2>&1; then
  echo "FAIL: node not found: run ./tools/setup.sh --browser (or set RMQSIM_SKIP_BROWSER=1 to skip browser tests)" >&2
  exit 1
fi
exec node "$(dirname "$0")/report_browser_test.mjs" "$@"
