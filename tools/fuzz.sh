#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz, clang, ASan+UBSan) in build-fuzz and runs them.
#
#   ./tools/fuzz.sh                  each harness for 60 s, both at once (what CI runs)
#   ./tools/fuzz.sh --seconds 1800   longer (development)
#   ./tools/fuzz.sh --merge          fold the new inputs of the last run into tests/fuzz/corpus
#                                    (libFuzzer -merge=1: only inputs that add coverage)
#   ./tools/fuzz.sh scenario_loader  one harness (scenario_loader, run_scenario)
#   ./tools/fuzz.sh --skip-corpus    seed from scenarios/ and tests/scenarios/ only, not from
#                                    tests/fuzz/corpus (CI: its fuzz_regression_test already
#                                    replays that corpus, which takes a minute to load under ASan)
#
# Seeds: tests/fuzz/corpus/<harness> (committed, minimized), scenarios/, tests/scenarios/. New
# inputs go to build-fuzz/corpus/<harness>; a crash is written to build-fuzz/artifacts/<harness>/
# and fails the script (replay: build-fuzz/rmqsim_fuzz_<harness> FILE). Needs clang and its
# libFuzzer runtime (./tools/setup.sh --fuzz). RMQSIM_FUZZ_BUILD_DIR overrides build-fuzz (CI uses its
# sanitizer build, build-asan-ci); RMQSIM_JOBS caps the compile jobs (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
merge=0
skip_corpus=0
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --merge) merge=1; shift ;;
    --skip-corpus) skip_corpus=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    scenario_loader|run_scenario) harnesses+=("$1"); shift ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#harnesses[@]} -gt 0 ] || harnesses=(scenario_loader run_scenario)
build_dir="${RMQSIM_FUZZ_BUILD_DIR:-build-fuzz}"

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  echo "fuzz: configuring $build_dir (clang, libFuzzer, ASan+UBSan)"
  generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DRMQSIM_FUZZ=ON -DRMQSIM_BUILD_TESTS=OFF >/dev/null
fi
targets=()
for h in "${harnesses[@]}"; do targets+=("rmqsim_fuzz_$h"); done
echo "fuzz: building ${targets[*]} in $build_dir"
cmake --build "$build_dir" --parallel "${RMQSIM_JOBS:-$(nproc)}" --target "${targets[@]}"

if [ "$merge" = 1 ]; then
  # A fresh minimal set: the inputs of the committed corpus and of the last runs that add edge
  # coverage (-use_counters=0: hit counts do not count, which keeps the committed corpus small),
  # merged into an empty folder that then replaces tests/fuzz/corpus/<harness>.
  for h in "${harnesses[@]}"; do
    mkdir -p "tests/fuzz/corpus/$h" "$build_dir/corpus/$h"
    fresh="$build_dir/merged-$h"
    rm -rf "$fresh" && mkdir -p "$fresh"
    echo "fuzz: merging tests/fuzz/corpus/$h and $build_dir/corpus/$h into a minimal tests/fuzz/corpus/$h"
    "$build_dir/rmqsim_fuzz_$h" -merge=1 -use_counters=0 -max_len=16384 -timeout=30 -rss_limit_mb=2048 \
      -dict=tests/fuzz/scenario.dict "$fresh" "tests/fuzz/corpus/$h" "$build_dir/corpus/$h" 2>&1 | tail -2
    rm -rf "tests/fuzz/corpus/$h" && mv "$fresh" "tests/fuzz/corpus/$h"
    echo "fuzz: tests/fuzz/corpus/$h: $(ls "tests/fuzz/corpus/$h" | wc -l) files, $(du -sk "tests/fuzz/corpus/$h" | cut -f1) KB"
  done
  exit 0
fi

seeds=(scenarios tests/scenarios/valid tests/scenarios/malformed)
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "fuzz: %U s user + %S s system CPU, %e s wall, max RSS %M KB")
pids=()
for h in "${harnesses[@]}"; do
  mkdir -p "$build_dir/corpus/$h" "$build_dir/artifacts/$h" "tests/fuzz/corpus/$h"
  log="$build_dir/fuzz-$h.log"
  echo "fuzz: $h for ${seconds}s (log $log)"
  # The first corpus folder receives new inputs; the others are read-only seeds. An input that
  # takes 30 s, or more than 2 GB (ASan's shadow included), is a finding.
  corpus=("tests/fuzz/corpus/$h")
  [ "$skip_corpus" = 1 ] && corpus=()
  "${timer[@]}" "$build_dir/rmqsim_fuzz_$h" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
    -max_len=16384 -dict=tests/fuzz/scenario.dict -print_final_stats=1 \
    -artifact_prefix="$build_dir/artifacts/$h/" \
    "$build_dir/corpus/$h" "${corpus[@]}" "${seeds[@]}" >"$log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!harnesses[@]}"; do
  h="${harnesses[$i]}"
  if wait "${pids[$i]}"; then
    echo "fuzz: $h ok: $(grep -E '^stat::number_of_executed_units' "$build_dir/fuzz-$h.log" | awk '{print $2}') runs, $(grep -E '^stat::new_units_added' "$build_dir/fuzz-$h.log" | awk '{print $2}') new inputs; $(grep -E '^fuzz: .* CPU' "$build_dir/fuzz-$h.log" | sed 's/^fuzz: //')"
  else
    status=1
    echo "fuzz: $h FAILED; the end of $build_dir/fuzz-$h.log:" >&2
    tail -60 "$build_dir/fuzz-$h.log" >&2
    echo "fuzz: crash inputs in $build_dir/artifacts/$h/:" >&2
    ls -l "$build_dir/artifacts/$h/" >&2
  fi
done
exit $status
