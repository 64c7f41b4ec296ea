#!/usr/bin/env bash
# Benchmarks: the event scheduler under the hold model, side by side with ns-3's four schedulers,
# a std::priority_queue baseline and SimPy; the end-to-end soak (tools/bench/soak.yaml) at a
# quarter, a half and a whole simulated hour; and the latency of a whole `rmqsim run` process.
# Prints a Markdown report (machine, figures, targets) and writes it into tools/bench/RESULTS.md,
# between the bench.sh markers (the rest of that file, the profile notes, is kept).
#
#   ./tools/bench.sh                 full run: Release build in ./build-bench (or
#                                    $RMQSIM_BENCH_BUILD_DIR) and a profile-guided rmqsim in
#                                    ./build-bench-pgo (tools/pgo.sh), then about 15 minutes of
#                                    benchmarks
#   ./tools/bench.sh --quick         every benchmark at tiny sizes, as a smoke test: no targets,
#                                    RESULTS.md untouched (ctest runs this)
#   ./tools/bench.sh --build-dir D   use the binaries already built in D instead of building
#   ./tools/bench.sh --pgo-build-dir P
#                                    use the profile-guided rmqsim already built in P (with
#                                    --build-dir; without it, a --build-dir run has no PGO rows)
#   ./tools/bench.sh --no-pgo        do not build the profile-guided rmqsim
#   ./tools/bench.sh --max-pending N hold model only up to P = N
#
# The hold model always runs the plain Release build (its C++ baselines are built alongside it,
# unprofiled). The soak runs the profile-guided rmqsim at each horizon and the plain one at the
# hour; CLI latency, both.
#
# A hold-model engine predicted to need more than RMQSIM_BENCH_ENGINE_BUDGET CPU seconds (default
# 20) per run at the next P is not run there or above; the report says which.
#
# ns-3 (libns3-dev) and SimPy 2 and 3 (python3-simpy, python3-simpy3) come with
# `./tools/setup.sh --bench`; hyperfine too.
# Without them the run goes on with the engines it has and names the ones it skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
build_dir=""
pgo_dir=""
pgo=1
max_pending=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --build-dir) build_dir="${2:?--build-dir needs a directory}"; shift ;;
    --pgo-build-dir) pgo_dir="${2:?--pgo-build-dir needs a directory}"; shift ;;
    --no-pgo) pgo=0 ;;
    --max-pending) max_pending="${2:?--max-pending needs a number}"; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
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
  if [ "$pgo" = 1 ] && [ "$quick" = 0 ] && [ -z "$pgo_dir" ]; then
    pgo_dir="$build_dir-pgo"
    log "building the profile-guided rmqsim in $pgo_dir (tools/pgo.sh, several minutes)"
    if ! ./tools/pgo.sh "$pgo_dir" >"$build_dir/bench-pgo-build.log" 2>&1; then
      log "tools/pgo.sh failed (see $build_dir/bench-pgo-build.log): plain build only"
      pgo_dir=""
    fi
  fi
fi
[ "$pgo" = 1 ] || pgo_dir=""
hold="$build_dir/rmqsim_hold_bench"
rmqsim="$build_dir/rmqsim"
rmqsim_pgo=""
if [ -n "$pgo_dir" ]; then
  rmqsim_pgo="$pgo_dir/rmqsim"
  [ -x "$rmqsim_pgo" ] || { echo "bench.sh: $rmqsim_pgo not found (./tools/pgo.sh $pgo_dir)" >&2; exit 1; }
fi
[ -x "$hold" ] || { echo "bench.sh: $hold not found" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --- Engines --------------------------------------------------------------------------------------
all_engines=(rmqsim ns3-PriorityQueue ns3-Map ns3-Heap ns3-Calendar std-priority-queue simpy2 simpy)
mapfile -t cxx_engines < <("$hold" --list-engines)
python=""   # SimPy 3 (python3-simpy3): hold_simpy.py
python2=""  # SimPy 2 (python3-simpy, the engine issue #7 names): hold_simpy2.py
for py in /usr/bin/python3 python3; do
  if [ -z "$python" ] && command -v "$py" >/dev/null 2>&1 && "$py" -c 'import simpy' 2>/dev/null; then python="$py"; fi
  if [ -z "$python2" ] && command -v "$py" >/dev/null 2>&1 && "$py" -c 'import SimPy.Simulation' 2>/dev/null; then python2="$py"; fi
done
engines=("${cxx_engines[@]}")
[ -n "$python2" ] && engines+=(simpy2)
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
  sizes=(); reps=3; table=1048576
  for p in 100 1000 10000 100000 1000000; do [ "$p" -le "$max_pending" ] && sizes+=("$p"); done
fi
events_for() {  # the same count for every engine at one P: enough for each event to recur
  if [ "$quick" = 1 ]; then echo 20000; else echo $(( $1 * 4 > 2000000 ? $1 * 4 : 2000000 )); fi
}
# An engine is not run at the next P of a mean when its run at this P, scaled by the next P's event
# count and by 10 (the pending set grows tenfold; ns-3's Calendar and Map slow down by more than
# that at large P: Calendar took 110 s per run at 100 ns / P = 100 000 and did not finish three
# runs in 25 minutes at 1 ms / P = 1 000 000), would exceed $budget CPU seconds. It is already far
# behind there; its later rows show "-" and the report names it.
budget="${RMQSIM_BENCH_ENGINE_BUDGET:-20}"  # predicted CPU seconds per run
dropped_notes=()
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for mean in "${means[@]}"; do
  "$hold" --mean-ns "$mean" --table-size "$table" --write-delays "$tmp/delays-$mean.bin"
  active=("${engines[@]}")
  for p in "${sizes[@]}"; do
    n="$(events_for "$p")"
    cxx_active=()
    for e in "${active[@]}"; do [[ " ${cxx_engines[*]} " == *" $e "* ]] && cxx_active+=("$e"); done
    log "hold model: mean ${mean} ns, P = $p, $n events (${active[*]})"
    "$hold" --mean-ns "$mean" --table-size "$table" --pending "$p" --events "$n" --reps "$reps" \
      --engines "${cxx_active[@]}" >"$tmp/cxx.tsv"
    cat "$tmp/cxx.tsv" >>"$tmp/hold.tsv"
    for py_engine in "simpy2 $python2 hold_simpy2.py" "simpy $python hold_simpy.py"; do
      read -r name py script <<<"$py_engine"
      [ -n "${script:-}" ] || continue  # that SimPy is not installed
      [[ " ${active[*]} " == *" $name "* ]] || continue  # over the budget at a smaller P
      "$py" "tools/bench/$script" --delays "$tmp/delays-$mean.bin" --mean-ns "$mean" \
        --pending "$p" --events "$n" >"$tmp/$name.tsv"
      want="$(awk -F'\t' '$1 == "rmqsim" { print $9 }' "$tmp/cxx.tsv")"
      got="$(cut -f9 "$tmp/$name.tsv")"
      if [ "$got" != "$want" ]; then
        echo "bench.sh: $name ended at $got ns, rmqsim at $want ns: not the same work" >&2
        exit 1
      fi
      cat "$tmp/$name.tsv" >>"$tmp/hold.tsv"
    done
    # Engines predicted over the budget at the next P (rmqsim always runs).
    next_n="$(events_for $((p * 10)))"
    still=()
    for e in "${active[@]}"; do
      secs="$(awk -F'\t' -v e="$e" -v m="$mean" -v p="$p" '$1 == e && $2 == m && $3 == p { print $5 }' "$tmp/hold.tsv")"
      if [ "$e" != rmqsim ] && [ -n "$secs" ] &&
         [ "$(awk -v s="$secs" -v n="$n" -v nn="$next_n" -v b="$budget" 'BEGIN { print (s * nn / n * 10 > b) }')" = 1 ]; then
        dropped_notes+=("$e took $(printf '%.2f' "$secs") CPU s per run at mean $mean ns, P = $p: not run at larger P")
        log "hold model: ${dropped_notes[-1]}"
      else
        still+=("$e")
      fi
    done
    active=("${still[@]}")
  done
done

# --- Soak -----------------------------------------------------------------------------------------
# tools/bench/soak.yaml (3 brokers, 2 name servers, 100 producers, 10 000 async messages/s, a broker
# killed for 30 s every 5 minutes) at a quarter, a half and the whole hour, `--events none
# --summary-only` (compact accounting). Quick mode: 6 s with the faults' minutes read as seconds.
soak_variant() {  # SECONDS OUT: the scenario cut at SECONDS, keeping the faults that end by then
  awk -v d="$1" -v quick="$quick" '
    /^duration:/ { print "duration: " d "s"; next }
    /until: 1h/ { sub(/until: 1h/, "until: " d "s") }
    /^  - \{at: [0-9]+m,/ {
      match($0, /at: [0-9]+m/); at = substr($0, RSTART + 4, RLENGTH - 5) * (quick ? 1 : 60)
      len = quick ? 1 : 30
      if (quick) { sub(/at: [0-9]+m/, "at: " at "s"); sub(/for: 30s/, "for: 1s") }
      if (at + len > d) next
    }
    { print }' tools/bench/soak.yaml >"$2"
}
if [ "$quick" = 1 ]; then soak_seconds=(6); else soak_seconds=(900 1800 3600); fi
# A row: "BUILD SECONDS MESSAGES EVENTS WALL USER SYS RSS_KB LOAD1 LOAD5 LOAD15" (BUILD: pgo or
# plain). soak_main names the build whose rows give the growth and the targets.
soak_rows=()
soak_main=plain
have_time=0
[ -x /usr/bin/time ] && have_time=1
soak() {  # BUILD BINARY SECONDS
  local build="$1" bin="$2" d="$3"
  soak_variant "$d" "$tmp/soak-$d.yaml"
  log "soak: $d s simulated, $build build ($(uptime | sed 's/.*load average/load average/'))"
  local load
  load="$(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$have_time" = 1 ]; then
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/soak-time" \
      "$bin" run "$tmp/soak-$d.yaml" --events none --summary-only --stats \
      >"$tmp/soak-$d.out" 2>"$tmp/soak-$d.err"
  else
    t0=$EPOCHREALTIME
    "$bin" run "$tmp/soak-$d.yaml" --events none --summary-only --stats \
      >"$tmp/soak-$d.out" 2>"$tmp/soak-$d.err"
    echo "$t0 $EPOCHREALTIME" | awk '{ printf "%.2f - - 0\n", $2 - $1 }' >"$tmp/soak-time"
  fi
  local stats msgs events wall user sys rss_kb
  stats="$(grep -m1 '^stats:' "$tmp/soak-$d.err")"
  msgs="$(echo "$stats" | sed -E 's/.*: ([0-9]+) messages.*/\1/')"
  events="$(echo "$stats" | sed -E 's/.* ([0-9]+) scheduler events.*/\1/')"
  read -r wall user sys rss_kb <"$tmp/soak-time"
  soak_rows+=("$build $d $msgs $events $wall $user $sys $rss_kb $load")
}
if [ -n "$rmqsim_pgo" ]; then
  soak_main=pgo
  for d in "${soak_seconds[@]}"; do soak pgo "$rmqsim_pgo" "$d"; done
  [ -x "$rmqsim" ] && soak plain "$rmqsim" "${soak_seconds[${#soak_seconds[@]}-1]}"
elif [ -x "$rmqsim" ]; then
  for d in "${soak_seconds[@]}"; do soak plain "$rmqsim" "$d"; done
else
  log "no $rmqsim: soak skipped"
fi

# --- CLI latency ----------------------------------------------------------------------------------
cli_runs=$([ "$quick" = 1 ] && echo 3 || echo 30)
cli=""
cli_latency() {  # BUILD BINARY: one table row
  local build="$1" bin="$2"
  log "CLI latency: $bin run, $cli_runs runs"
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 2 --runs "$cli_runs" --export-json "$tmp/cli.json" "$bin run" >/dev/null 2>&1
    num() { grep -m1 "\"$1\":" "$tmp/cli.json" | sed 's/.*: *\([0-9.e+-]*\).*/\1/'; }
    awk -v med="$(num median)" -v mn="$(num min)" -v mx="$(num max)" -v u="$(num user)" \
      -v s="$(num system)" -v n="$cli_runs" -v b="$build" 'BEGIN {
        printf "| `rmqsim run` (default scenario) | %s | %d | %.1f | %.1f | %.1f | %.1f | hyperfine |\n",
          b, n, med * 1000, mn * 1000, mx * 1000, (u + s) * 1000 }'
  else
    for ((i = 0; i < cli_runs + 2; i++)); do
      t0=$EPOCHREALTIME; "$bin" run >/dev/null; t1=$EPOCHREALTIME
      [ "$i" -ge 2 ] && echo "$t0 $t1" | awk '{ printf "%.6f\n", ($2 - $1) * 1000 }'
    done | sort -n >"$tmp/cli.txt"
    awk -v n="$cli_runs" -v b="$build" '{ v[NR] = $1 } END {
        printf "| `rmqsim run` (default scenario) | %s | %d | %.1f | %.1f | %.1f | - | bash EPOCHREALTIME |\n",
          b, n, v[int((n + 1) / 2)], v[1], v[n] }' "$tmp/cli.txt"
  fi
}
if [ -x "$rmqsim" ]; then
  cli="$(cli_latency plain "$rmqsim")"
  [ -n "$rmqsim_pgo" ] && cli="$cli"$'\n'"$(cli_latency pgo "$rmqsim_pgo")"
else
  log "no $rmqsim: CLI latency skipped"
fi
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- Report ---------------------------------------------------------------------------------------
cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
mhz="$(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//; s/\..*//')"
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
[ -n "$(git status --porcelain -- core sim reports tools 2>/dev/null)" ] && commit="$commit (+ local changes)"

# One table: a row per (mean, P), a column per engine (millions of events per second, column $col
# of the TSV: 6 = per CPU second, 8 = per wall second), then rmqsim's ratio to the best other
# engine and to the best ns-3 scheduler.
table() {
  awk -F'\t' -v col="$1" -v engines="${engines[*]}" '
    { v[$2, $3, $1] = $col; n[$2, $3] = $4; if (!(($2, $3) in seen)) { seen[$2, $3] = 1; keys[++k] = $2 SUBSEP $3 } }
    function label(e) {
      if (e == "std-priority-queue") return "std::priority_queue"
      if (e == "simpy") return "SimPy 3"
      if (e == "simpy2") return "SimPy 2"
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
          if (!((m, p, E[i]) in v)) { printf " - |"; continue }  # not run at this P
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
  echo "- Build: $(c++ --version | head -1), Release (-O3)$([ -n "$rmqsim_pgo" ] && echo "; and profile-guided (tools/pgo.sh in $pgo_dir)"); rmqsim commit $commit"
  echo "- Engines: ${engines[*]}$([ ${#skipped[@]} -gt 0 ] && echo "; skipped (not installed): ${skipped[*]}")"
  echo
  echo "### Hold model, millions of events per CPU second"
  echo
  echo "P events pending; each executed event schedules one at now + Exp(mean), delays drawn once"
  echo "from one xoshiro256** table that every engine reads in the same order (all engines end at"
  echo "the same virtual time, which the run checks). Timed: the events only, in thread CPU time,"
  echo "median of $reps runs (SimPy: 1). Setup (scheduling the first P events) is not timed."
  [ "$max_pending" -lt 1000000 ] && [ "$quick" = 0 ] &&
    { echo; echo "Run with \`--max-pending $max_pending\`: the rows for larger P were not measured."; }
  echo
  table 6
  if [ ${#dropped_notes[@]} -gt 0 ]; then
    echo
    echo "Not run (predicted over ${budget} CPU s per run from a smaller P; \"-\" above):"
    for note in "${dropped_notes[@]}"; do echo "- $note"; done
  fi
  echo
  echo "### Hold model, millions of events per wall-clock second (same runs)"
  echo
  table 8
  echo
  echo "### Soak: tools/bench/soak.yaml, \`rmqsim run --events none --summary-only\`"
  echo
  if [ ${#soak_rows[@]} -gt 0 ]; then
    echo "3 brokers, 2 name servers, 100 producer instances, 10 000 async messages/s in total (5.3.3),"
    echo "a broker killed for 30 s every 5 minutes; compact accounting. One process per horizon."
    echo
    if [ -n "$rmqsim_pgo" ]; then
      echo "Builds: \`pgo\` is rmqsim from tools/pgo.sh (GCC profile-guided, trained on the shipped"
      echo "scenarios and a soak minute), \`plain\` the Release build the hold model runs."
      echo
    fi
    echo "| simulated | build | messages | scheduler events | wall s | user+sys s | messages/s (wall) | events/s (wall) | CPU µs / message | peak RSS MiB | load 1/5/15 min |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"
    for row in "${soak_rows[@]}"; do
      echo "$row" | awk '{
        cpu = ($6 == "-") ? $5 : $6 + $7
        label = ($2 % 3600 == 0) ? $2 / 3600 " h" : ($2 % 60 == 0 ? $2 / 60 " min" : $2 " s")
        printf "| %s | %s | %d | %d | %.1f | %.1f | %.0f | %.0f | %.2f | %.0f | %s %s %s |\n",
          label, $1, $3, $4, $5, cpu, $3 / $5, $4 / $5, cpu * 1e6 / $3, $8 / 1024, $9, $10, $11 }'
    done
    main_rows=()
    for row in "${soak_rows[@]}"; do [ "${row%% *}" = "$soak_main" ] && main_rows+=("$row"); done
    if [ ${#main_rows[@]} -ge 2 ]; then
      first="${main_rows[0]}"; last="${main_rows[${#main_rows[@]}-1]}"
      echo
      echo "$first|$last" | awk -F'|' -v b="$soak_main" '{
        split($1, a, " "); split($2, b_, " ")
        ca = (a[6] == "-") ? a[5] : a[6] + a[7]; cb = (b_[6] == "-") ? b_[5] : b_[6] + b_[7]
        printf "Growth (%s build) from %d to %d messages (x%.2f): CPU time x%.2f, wall x%.2f, CPU per message x%.2f (1.00 = linear).\n",
          b, a[3], b_[3], b_[3] / a[3], cb / ca, b_[5] / a[5], (cb / b_[3]) / (ca / a[3]) }'
    fi
    if [ "$quick" = 0 ]; then
      echo
      # The targets, per build, from its longest run.
      printf '%s\n' "${soak_rows[@]}" | awk '
        { last[$1] = $0; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
        END {
          for (i = 1; i <= n; i++) {
            split(last[order[i]], r, " ")
            printf "- Simulated hour in <= 40 s wall (%s build): %s (%.1f s)\n", r[1], (r[5] <= 40 ? "**met**" : "**not met**"), r[5]
            printf "- Peak RSS <= 1 GB (%s build): %s (%.0f MiB)\n", r[1], (r[8] <= 1000000 ? "**met**" : "**not met**"), r[8] / 1024
          }
        }'
    fi
  else
    echo "Not measured: no rmqsim binary in $build_dir."
  fi
  echo
  echo "### CLI latency: whole process, wall clock"
  echo
  if [ -n "$cli" ]; then
    echo "| command | build | runs | median ms | min ms | max ms | user+sys ms | timer |"
    echo "|---|---|--:|--:|--:|--:|--:|---|"
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
