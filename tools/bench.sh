#!/usr/bin/env bash
# Benchmarks: the event scheduler under the hold model, side by side with ns-3's four schedulers,
# a std::priority_queue baseline and SimPy, and the latency of a whole `rmqsim run` process.
# Prints a Markdown report (machine, figures, targets) and writes it into tools/bench/RESULTS.md,
# between the bench.sh markers (the rest of that file, the profile notes, is kept).
#
#   ./tools/bench.sh                 full run: Release build in ./build-bench (or
#                                    $RMQSIM_BENCH_BUILD_DIR), then several minutes of benchmarks
#   ./tools/bench.sh --quick         every benchmark at tiny sizes, as a smoke test: no targets,
#                                    RESULTS.md untouched (ctest runs this)
#   ./tools/bench.sh --build-dir D   use the binaries already built in D instead of building
#
# ns-3 (libns3-dev) and SimPy (python3-simpy3) come with `./tools/setup.sh --bench`; hyperfine too.
# Without them the run goes on with the engines it has and names the ones it skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
build_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --build-dir) build_dir="${2:?--build-dir needs a directory}"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "bench: $*" >&2; }

# --- Build ----------------------------------------------------------------------------------------
if [ -z "$build_dir" ]; then
  build_dir="${RMQSIM_BENCH_BUILD_DIR:-build-bench}"
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    log "configuring $build_dir (Release)"
    generator=()
    command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
    cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  log "building rmqsim_hold_bench and rmqsim in $build_dir"
  cmake --build "$build_dir" --parallel "$(nproc)" --target rmqsim_hold_bench >/dev/null
  if ! cmake --build "$build_dir" --parallel "$(nproc)" --target rmqsim >"$build_dir/bench-rmqsim-build.log" 2>&1; then
    log "rmqsim did not build (see $build_dir/bench-rmqsim-build.log): CLI latency skipped"
  fi
fi
hold="$build_dir/rmqsim_hold_bench"
rmqsim="$build_dir/rmqsim"
[ -x "$hold" ] || { echo "bench.sh: $hold not found" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --- Engines --------------------------------------------------------------------------------------
all_engines=(rmqsim ns3-PriorityQueue ns3-Map ns3-Heap ns3-Calendar std-priority-queue simpy)
mapfile -t cxx_engines < <("$hold" --list-engines)
python=""
for py in /usr/bin/python3 python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import simpy' 2>/dev/null; then python="$py"; break; fi
done
engines=("${cxx_engines[@]}")
[ -n "$python" ] && engines+=(simpy)
skipped=()
for e in "${all_engines[@]}"; do
  [[ " ${engines[*]} " == *" $e "* ]] || skipped+=("$e")
done
log "engines: ${engines[*]}"
[ ${#skipped[@]} -gt 0 ] && log "skipped (not installed: ./tools/setup.sh --bench): ${skipped[*]}"

# --- Hold model -----------------------------------------------------------------------------------
means=(100 1000000)
if [ "$quick" = 1 ]; then
  sizes=(100 1000); reps=1; table=4096
else
  sizes=(100 1000 10000 100000 1000000); reps=3; table=1048576
fi
events_for() {  # the same count for every engine at one P: enough for each event to recur
  if [ "$quick" = 1 ]; then echo 20000; else echo $(( $1 * 4 > 2000000 ? $1 * 4 : 2000000 )); fi
}
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for mean in "${means[@]}"; do
  "$hold" --mean-ns "$mean" --table-size "$table" --write-delays "$tmp/delays-$mean.bin"
  for p in "${sizes[@]}"; do
    n="$(events_for "$p")"
    log "hold model: mean ${mean} ns, P = $p, $n events"
    "$hold" --mean-ns "$mean" --table-size "$table" --pending "$p" --events "$n" --reps "$reps" \
      >"$tmp/cxx.tsv"
    cat "$tmp/cxx.tsv" >>"$tmp/hold.tsv"
    if [ -n "$python" ]; then
      "$python" tools/bench/hold_simpy.py --delays "$tmp/delays-$mean.bin" --mean-ns "$mean" \
        --pending "$p" --events "$n" >"$tmp/simpy.tsv"
      want="$(awk -F'\t' '$1 == "rmqsim" { print $9 }' "$tmp/cxx.tsv")"
      got="$(cut -f9 "$tmp/simpy.tsv")"
      if [ "$got" != "$want" ]; then
        echo "bench.sh: SimPy ended at $got ns, rmqsim at $want ns: not the same work" >&2
        exit 1
      fi
      cat "$tmp/simpy.tsv" >>"$tmp/hold.tsv"
    fi
  done
done

# --- CLI latency ----------------------------------------------------------------------------------
cli_runs=$([ "$quick" = 1 ] && echo 3 || echo 30)
cli=""
if [ -x "$rmqsim" ]; then
  log "CLI latency: $rmqsim run, $cli_runs runs"
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 2 --runs "$cli_runs" --export-json "$tmp/cli.json" "$rmqsim run" >/dev/null 2>&1
    num() { grep -m1 "\"$1\":" "$tmp/cli.json" | sed 's/.*: *\([0-9.e+-]*\).*/\1/'; }
    cli="$(awk -v med="$(num median)" -v mn="$(num min)" -v mx="$(num max)" -v u="$(num user)" \
      -v s="$(num system)" -v n="$cli_runs" 'BEGIN {
        printf "| `rmqsim run` (default scenario) | %d | %.1f | %.1f | %.1f | %.1f | hyperfine |\n",
          n, med * 1000, mn * 1000, mx * 1000, (u + s) * 1000 }')"
  else
    for ((i = 0; i < cli_runs + 2; i++)); do
      t0=$EPOCHREALTIME; "$rmqsim" run >/dev/null; t1=$EPOCHREALTIME
      [ "$i" -ge 2 ] && echo "$t0 $t1" | awk '{ printf "%.6f\n", ($2 - $1) * 1000 }'
    done | sort -n >"$tmp/cli.txt"
    cli="$(awk -v n="$cli_runs" '{ v[NR] = $1 } END {
        printf "| `rmqsim run` (default scenario) | %d | %.1f | %.1f | %.1f | - | bash EPOCHREALTIME |\n",
          n, v[int((n + 1) / 2)], v[1], v[n] }' "$tmp/cli.txt")"
  fi
else
  log "no $rmqsim: CLI latency skipped"
fi
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- Report ---------------------------------------------------------------------------------------
cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
mhz="$(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//; s/\..*//')"
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
[ -n "$(git status --porcelain -- core tools/bench 2>/dev/null)" ] && commit="$commit (+ local changes)"

# One table: a row per (mean, P), a column per engine (millions of events per second, column $col
# of the TSV: 6 = per CPU second, 8 = per wall second), then rmqsim's ratio to the best other
# engine and to the best ns-3 scheduler.
table() {
  awk -F'\t' -v col="$1" -v engines="${engines[*]}" '
    { v[$2, $3, $1] = $col; n[$2, $3] = $4; if (!(($2, $3) in seen)) { seen[$2, $3] = 1; keys[++k] = $2 SUBSEP $3 } }
    function label(e) {
      if (e == "std-priority-queue") return "std::priority_queue"
      if (e == "simpy") return "SimPy"
      if (e ~ /^ns3-/) { sub(/^ns3-/, "", e); return "ns-3 " e }
      return e
    }
    function mean_label(m) { return m >= 1000000 ? m / 1000000 " ms" : m " ns" }
    BEGIN {
      ne = split(engines, E, " ")
      printf "| mean | P | events |"; for (i = 1; i <= ne; i++) printf " %s |", label(E[i])
      printf " rmqsim / best other | rmqsim / best ns-3 |\n|---|--:|--:|"
      for (i = 1; i <= ne + 2; i++) printf "--:|"
      printf "\n"
    }
    END {
      for (j = 1; j <= k; j++) {
        split(keys[j], kp, SUBSEP); m = kp[1]; p = kp[2]
        printf "| %s | %d | %d |", mean_label(m), p, n[m, p]
        best = 0; best3 = 0
        for (i = 1; i <= ne; i++) {
          x = v[m, p, E[i]]
          printf " %.2f |", x / 1e6
          if (E[i] != "rmqsim" && x > best) best = x
          if (E[i] ~ /^ns3-/ && x > best3) best3 = x
        }
        r = v[m, p, "rmqsim"]
        if (best > 0) printf " %.2fx |", r / best; else printf " - |"
        if (best3 > 0) printf " %.2fx |\n", r / best3; else printf " - |\n"
      }
    }' "$tmp/hold.tsv"
}

# Targets: rmqsim >= 2x the fastest ns-3 scheduler and >= std::priority_queue at every P, and
# >= 20 M events per CPU second at P = 10 000 (each mean).
targets() {
  awk -F'\t' '
    { v[$2, $3, $1] = $6; if ($1 == "rmqsim") { keys[++k] = $2 SUBSEP $3 } }
    END {
      ok1 = ok2 = ok3 = 1; f1 = f2 = f3 = ""; have3 = 0
      for (j = 1; j <= k; j++) {
        split(keys[j], kp, SUBSEP); m = kp[1]; p = kp[2]; r = v[m, p, "rmqsim"]
        best3 = 0
        for (key in v) { split(key, q, SUBSEP); if (q[1] == m && q[2] == p && q[3] ~ /^ns3-/ && v[key] > best3) best3 = v[key] }
        if (best3 > 0) { have3 = 1; if (r < 2 * best3) { ok1 = 0; f1 = f1 sprintf(" %s/%s (%.2fx)", m, p, r / best3) } }
        pq = v[m, p, "std-priority-queue"]
        if (pq > 0 && r < pq) { ok2 = 0; f2 = f2 sprintf(" %s/%s (%.2fx)", m, p, r / pq) }
        if (p == 10000 && r < 20e6) { ok3 = 0; f3 = f3 sprintf(" mean %s ns: %.1f M/s", m, r / 1e6) }
      }
      if (!have3) print "- rmqsim >= 2x the fastest ns-3 scheduler at every P: not measured (no ns-3)"
      else print "- rmqsim >= 2x the fastest ns-3 scheduler at every P: " (ok1 ? "**met**" : "**not met** at mean/P" f1)
      print "- rmqsim >= std::priority_queue at every P: " (ok2 ? "**met**" : "**not met** at mean/P" f2)
      print "- rmqsim >= 20 M events/s at P = 10 000: " (ok3 ? "**met**" : "**not met**:" f3)
    }' "$tmp/hold.tsv"
}

report="$tmp/report.md"
{
  echo "## Measured $(date -u '+%Y-%m-%d %H:%M UTC')$([ "$quick" = 1 ] && echo ' (--quick: smoke sizes, not results)')"
  echo
  echo "- Machine: $cpu_model, $(nproc) cores at ${mhz} MHz, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM;" \
    "load average (1/5/15 min) $load_before at the start, $load_after at the end"
  echo "- Build: $(c++ --version | head -1), Release (-O3); rmqsim commit $commit"
  echo "- Engines: ${engines[*]}$([ ${#skipped[@]} -gt 0 ] && echo "; skipped (not installed): ${skipped[*]}")"
  echo
  echo "### Hold model, millions of events per CPU second"
  echo
  echo "P events pending; each executed event schedules one at now + Exp(mean), delays drawn once"
  echo "from one xoshiro256** table that every engine reads in the same order (all engines end at"
  echo "the same virtual time, which the run checks). Timed: the events only, in thread CPU time,"
  echo "median of $reps runs (SimPy: 1). Setup (scheduling the first P events) is not timed."
  echo
  table 6
  echo
  echo "### Hold model, millions of events per wall-clock second (same runs)"
  echo
  table 8
  echo
  echo "### CLI latency: whole process, wall clock"
  echo
  if [ -n "$cli" ]; then
    echo "| command | runs | median ms | min ms | max ms | user+sys ms | timer |"
    echo "|---|--:|--:|--:|--:|--:|---|"
    echo "$cli"
  else
    echo "Not measured: no rmqsim binary in $build_dir."
  fi
  if [ "$quick" = 0 ]; then
    echo
    echo "### Targets (CPU-time figures)"
    echo
    targets
  fi
} >"$report"

cat "$report"
if [ "$quick" = 0 ]; then
  results=tools/bench/RESULTS.md
  begin='<!-- bench.sh:begin (generated; edit outside these markers) -->'
  end='<!-- bench.sh:end -->'
  if [ -f "$results" ] && grep -qF "$begin" "$results"; then
    awk -v begin="$begin" -v end="$end" -v report="$report" '
      $0 == begin { print; while ((getline line < report) > 0) print line; skip = 1; next }
      $0 == end { skip = 0 }
      !skip { print }' "$results" >"$tmp/results.md"
  else
    { echo "# Benchmark results"; echo; echo "$begin"; cat "$report"; echo "$end"; } >"$tmp/results.md"
  fi
  cp "$tmp/results.md" "$results"
  log "wrote $results"
fi
