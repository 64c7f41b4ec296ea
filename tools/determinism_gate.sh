#!/usr/bin/env bash
# Determinism gate: every shipped scenario (scenarios/*), run through two rmqsim binaries, must give
# byte-identical stdout, timeline JSON, HTML and trace output.
#
#   tools/determinism_gate.sh BIN_A BIN_B
#
# BIN_A and BIN_B may be one binary (the suite runs it so: the same scenario twice) or two builds
# of the same commit (CI: Release vs the Debug sanitizer build). Run A uses LC_ALL=C, TZ=UTC, the
# caller's environment and address-space randomisation; run B a cleared environment with another
# locale, time zone, HOME and stray variables, glibc's MALLOC_PERTURB_ (fresh memory is never
# zero), and randomisation off where setarch allows, so results that depend on the environment,
# on addresses, on hash-map iteration order or on uninitialised memory show up as differences.
# A difference prints the first differing line of each file (the timeline JSON has one message or
# event per line, so that is the first differing event) and fails (exit 1).
# RMQSIM_GATE_SCENARIOS="a.yaml b.json" restricts the list; RMQSIM_GATE_DIR keeps the outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 2 ]; then
  sed -n '2,16p' "$0" >&2
  exit 2
fi
bin_a="$1"
bin_b="$2"
for b in "$bin_a" "$bin_b"; do
  [ -x "$b" ] || { echo "determinism gate: $b is not an executable" >&2; exit 2; }
done
out="${RMQSIM_GATE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/rmqsim-gate.XXXXXX")}"
mkdir -p "$out"
[ -n "${RMQSIM_GATE_DIR:-}" ] || trap 'rm -rf "$out"' EXIT
shopt -s nullglob
if [ -n "${RMQSIM_GATE_SCENARIOS:-}" ]; then
  read -r -a scenarios <<<"$RMQSIM_GATE_SCENARIOS"
else
  scenarios=(scenarios/*.yaml scenarios/*.yml scenarios/*.json)
fi
[ ${#scenarios[@]} -gt 0 ] || { echo "determinism gate: no scenarios" >&2; exit 2; }
# Side B's locale: one with another decimal separator if the machine has one, else C.UTF-8.
locale_b=C.UTF-8
for l in de_DE.UTF-8 fr_FR.UTF-8 de_DE.utf8 fr_FR.utf8; do
  if locale -a 2>/dev/null | grep -qix "${l/UTF-8/utf8}"; then locale_b="$l"; break; fi
done
no_aslr=()
if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
  no_aslr=(setarch "$(uname -m)" -R)
fi

# run SIDE SCENARIO: writes $out/SIDE/<name>.{stdout,json,html,trace.json}. Both sides write to
# the same paths first (rmqsim prints them), then the files move to the side's folder.
run() {
  local side="$1" scenario="$2" name dir tmp="$out/run"
  name="$(basename "$scenario")"
  dir="$out/$side"
  mkdir -p "$dir" "$tmp"
  local args=(run "$scenario" --json "$tmp/$name.json" --html "$tmp/$name.html"
              --trace "$tmp/$name.trace.json")
  local rc=0
  if [ "$side" = a ]; then
    LC_ALL=C TZ=UTC "$bin_a" "${args[@]}" >"$dir/$name.stdout" 2>"$dir/$name.stderr" || rc=$?
  else
    env -i PATH="$PATH" HOME="$out/home-b" LANG="$locale_b" LC_ALL="$locale_b" TZ=Pacific/Chatham \
      MALLOC_PERTURB_=165 RMQSIM_GATE_NOISE="$RANDOM$RANDOM" COLUMNS=37 \
      ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
      "${no_aslr[@]}" "$bin_b" "${args[@]}" >"$dir/$name.stdout" 2>"$dir/$name.stderr" || rc=$?
  fi
  if [ "$rc" -ne 0 ]; then
    echo "determinism gate: $scenario: run $side exited $rc:" >&2
    cat "$dir/$name.stderr" >&2
    return 1
  fi
  for ext in json html trace.json; do mv "$tmp/$name.$ext" "$dir/$name.$ext"; done
}

# The first line where two files differ, both sides shown (long lines cut).
first_difference() {
  local a="$1" b="$2" line
  line="$( (cmp "$a" "$b" 2>/dev/null || true) | sed -n 's/.* line \([0-9]*\).*/\1/p')"
  if [ -z "$line" ]; then  # one file is a prefix of the other
    echo "    one output is a prefix of the other ($(wc -c <"$a") vs $(wc -c <"$b") bytes)"
    return
  fi
  # The timeline JSON names its run on a line of its own before the run's messages and events.
  local run
  run="$(head -n "$line" "$a" | grep -o '^{"profile": "[^"]*"' | tail -1 | sed 's/.*: "//; s/"$//' || true)"
  echo "    first difference at line $line${run:+ (in the $run run)}:"
  echo "    A: $(sed -n "${line}p" "$a" | cut -c1-400)"
  echo "    B: $(sed -n "${line}p" "$b" | cut -c1-400)"
}

failed=0
start=$SECONDS
for s in "${scenarios[@]}"; do
  run a "$s" || { failed=1; continue; }
  run b "$s" || { failed=1; continue; }
  name="$(basename "$s")"
  bad=()
  for ext in stdout json html trace.json; do
    if ! cmp -s "$out/a/$name.$ext" "$out/b/$name.$ext"; then
      bad+=("$ext")
      echo "determinism gate: $s: $ext differs between $bin_a (A) and $bin_b (B)" >&2
      first_difference "$out/a/$name.$ext" "$out/b/$name.$ext" >&2
    fi
  done
  if [ ${#bad[@]} -eq 0 ]; then
    echo "identical: $s ($(wc -c <"$out/a/$name.json") bytes of JSON)"
  else
    failed=1
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "determinism gate: FAILED (outputs in $out)" >&2
  [ -n "${RMQSIM_GATE_DIR:-}" ] || { trap - EXIT; echo "(kept)" >&2; }
  exit 1
fi
echo "determinism gate: ${#scenarios[@]} scenarios byte-identical across A=$bin_a and B=$bin_b ($((SECONDS - start)) s; B: LC_ALL=$locale_b TZ=Pacific/Chatham MALLOC_PERTURB_=165 cleared env${no_aslr:+, no ASLR})"
