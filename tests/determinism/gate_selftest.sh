#!/usr/bin/env bash
# The determinism gate must fail, and say where, when two runs differ: B is rmqsim behind a
# wrapper that changes one message of the timeline JSON (and nothing else). The gate must exit 1,
# name the file that differs, and print the first differing line of both sides; the other outputs
# must still compare equal.
#
#   tests/determinism/gate_selftest.sh RMQSIM
set -euo pipefail
cd "$(dirname "$0")/../.."
rmqsim="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/rmqsim-gate-selftest.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cat >"$work/perturbed-rmqsim" <<WRAP
#!/usr/bin/env bash
# rmqsim, then the 3rd message of the timeline JSON gets another sent_ms.
set -euo pipefail
"$rmqsim" "\$@"
json=""
while [ \$# -gt 0 ]; do
  if [ "\$1" = --json ]; then json="\$2"; fi
  shift
done
[ -n "\$json" ] && sed -i '0,/"id": "pg#0\/3",/s/"id": "pg#0\/3", \(.*\)"sent_ms": [0-9.]*/"id": "pg#0\/3", \1"sent_ms": 12345.678/' "\$json"
exit 0
WRAP
chmod +x "$work/perturbed-rmqsim"
fail() { echo "gate self-test: $*" >&2; echo "--- gate output:" >&2; cat "$work/out" >&2; exit 1; }

rc=0
RMQSIM_GATE_SCENARIOS=scenarios/three-brokers-sync-walk.json RMQSIM_GATE_DIR="$work/gate" \
  bash tools/determinism_gate.sh "$rmqsim" "$work/perturbed-rmqsim" >"$work/out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "expected exit status 1, got $rc"
grep -qF 'scenarios/three-brokers-sync-walk.json: json differs between' "$work/out" || fail "no 'json differs' line"
grep -qE '^    first difference at line [0-9]+ \(in the 4\.9\.0 run\):$' "$work/out" \
  || fail "no 'first difference at line N (in the 4.9.0 run):' line"
grep -qE '^    A: +\{"id": "pg#0/3", .*"sent_ms": 1100\.0' "$work/out" || fail "side A's line is not message pg#0/3 as run"
grep -qE '^    B: +\{"id": "pg#0/3", .*"sent_ms": 12345\.678' "$work/out" || fail "side B's line is not the perturbed pg#0/3"
for ext in stdout html trace.json; do
  if grep -qF "three-brokers-sync-walk.json: $ext differs" "$work/out"; then fail "$ext reported as different"; fi
done
grep -qF 'determinism gate: FAILED' "$work/out" || fail "no FAILED summary"

# And the same binary on both sides passes.
RMQSIM_GATE_SCENARIOS=scenarios/three-brokers-sync-walk.json \
  bash tools/determinism_gate.sh "$rmqsim" "$rmqsim" >"$work/out" 2>&1 || fail "the unperturbed gate failed"
grep -qF 'determinism gate: 1 scenarios byte-identical' "$work/out" || fail "no success summary"
echo "gate self-test: ok (a one-message difference is caught and shown)"
