#!/usr/bin/env bash
# Determinism across optimisations (issue #7): the outputs of `rmqsim run` (terminal report,
# timeline JSON, trace, HTML) and `rmqsim check` (terminal, JUnit XML) for a set of shipped
# scenarios are byte-identical to those of the binary the goldens were made with (main before the
# performance work). The goldens are SHA-256 sums (tests/golden/outputs.sha256) of each output
# with the generator's build stamp "rmqsim X.Y.Z (commit)" replaced by "rmqsim (build)".
#
#   tests/golden/outputs.sh RMQSIM                 compare (ctest rmqsim_golden_outputs)
#   tests/golden/outputs.sh RMQSIM --update        rewrite the goldens with RMQSIM's outputs
set -euo pipefail
cd "$(dirname "$0")/../.."
rmqsim="${1:?usage: outputs.sh RMQSIM [--update]}"
update="${2:-}"
golden=tests/golden/outputs.sha256
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

run() {  # NAME ARGS...: every output of one run into $out/NAME.*
  local name="$1"; shift
  "$rmqsim" run "$@" --json "$out/$name.json" --trace "$out/$name.trace.json" \
    --html "$out/$name.html" | grep -v '^wrote ' >"$out/$name.txt"
}
run default
run default-seed3-events-none --seed 3 --events none
run q9 scenarios/q9-double-callback.yaml
run dropped scenarios/dropped-responses.json
run killed-vs-crashed scenarios/killed-vs-crashed.yaml
run send-modes scenarios/send-modes-under-kill.yaml --events none
run go-away scenarios/go-away-proxy-restart.yaml
run three-brokers scenarios/three-brokers-sync-walk.json --compare 4.9.0,5.3.3
"$rmqsim" run scenarios/flush-slave-timeout-duplicates.yaml --events none >"$out/flush-events-none.txt"
"$rmqsim" run scenarios/slow-broker-async-flood.yaml --quiet --json "$out/flood.json" --events none
# --json alone streams each run's event log through a spool: the same bytes as the in-memory path.
"$rmqsim" run scenarios/killed-vs-crashed.yaml --quiet --json "$out/json-only-killed-vs-crashed.json"
"$rmqsim" run --quiet --json - >"$out/json-only-default.json"
"$rmqsim" check scenarios/ --junit "$out/check.xml" >"$out/check.txt" || true

for f in "$out"/*; do
  sed -i -E 's/rmqsim [0-9]+\.[0-9]+\.[0-9]+ \([0-9a-z]+\)/rmqsim (build)/g' "$f"
done
(cd "$out" && sha256sum -- *) >"$out.sums"
if [ "$update" = --update ]; then
  cp "$out.sums" "$golden"
  echo "wrote $golden ($(wc -l <"$golden") outputs)"
elif diff -u "$golden" "$out.sums"; then
  echo "all $(wc -l <"$golden") outputs byte-identical to the goldens"
  rm -f "$out.sums"
else
  echo "outputs differ from $golden (see the diff above)" >&2
  rm -f "$out.sums"
  exit 1
fi
