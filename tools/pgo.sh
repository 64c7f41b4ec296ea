#!/usr/bin/env bash
# Builds rmqsim with GCC profile-guided optimisation, for long runs and sweeps (about a tenth
# faster on the soak; tools/bench/RESULTS.md): an instrumented build, a training run, then the
# optimised build in the same directory (GCC finds each object's profile by its path), checked
# byte-identical against the goldens. Takes about twice a plain build of rmqsim.
#
#   ./tools/pgo.sh [BUILD_DIR]     default ./build-pgo; the binary is BUILD_DIR/rmqsim
#
# Training: every shipped scenario under all four profiles (with the timeline JSON writer), the
# default scenario, and a minute of tools/bench/soak.yaml with one broker kill. Code it never ran
# is optimised as in a plain Release build (-fprofile-partial-training). RMQSIM_JOBS caps the
# compile jobs (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build-pgo}"
jobs="${RMQSIM_JOBS:-$(nproc)}"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
log() { echo "pgo: $*" >&2; }

configure() {  # MODE: generate or use
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DRMQSIM_BUILD_TESTS=OFF \
    -DRMQSIM_PGO="$1" ${RMQSIM_CMAKE_ARGS:-} >/dev/null
}

configure generate
profiles="$(sed -n 's/^RMQSIM_PGO_DIR:PATH=//p' "$build_dir/CMakeCache.txt")"
# Counts merge into existing profiles, and a profile from other sources fails the use build.
rm -rf "$profiles"
log "instrumented build in $build_dir"
cmake --build "$build_dir" --parallel "$jobs" --target rmqsim >/dev/null

log "training: scenarios/*.yaml under 4.9.0, 4.9.3, 4.9.8 and 5.3.3, the default scenario, a soak minute"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rmqsim="$build_dir/rmqsim"
for f in scenarios/*.yaml scenarios/*.json; do
  [ -f "$f" ] || continue
  "$rmqsim" run "$f" --compare 4.9.0,4.9.3,4.9.8,5.3.3 --json "$tmp/timeline.json" >/dev/null
done
"$rmqsim" run >/dev/null
"$rmqsim" run tools/bench/soak.yaml --set duration=60s --set 'producers[0].send[0].until=60s' \
  --set 'faults=[{at: 20s, action: kill, target: broker-a, for: 10s}]' \
  --events none --summary-only >/dev/null

configure use
log "optimised build in $build_dir"
cmake --build "$build_dir" --parallel "$jobs" --target rmqsim >/dev/null
tests/golden/outputs.sh "$rmqsim" >&2
log "built $rmqsim"
