// `rmqsim sweep` and `rmqsim merge`: many runs of one scenario across seeds and --set values, on
// several threads and, with --shard, several machines. Each run stays single-threaded and
// deterministic; threads only decide when a run happens, never what it produces, and results are
// ordered by the work list (reports/sweep.h), so the outputs are the same bytes for any --threads
// and for shards merged afterwards.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "reports/sweep.h"
#include "sim/profile.h"
#include "sim/run.h"
#include "tools/commands.h"

namespace rmqsim::tools {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitInvalid = 2;
constexpr size_t kMaxSeeds = 10'000'000;
// The outputs are built in memory (about 1.5 KB per run), and every grid point's scenario is
// validated and kept before anything runs.
constexpr size_t kMaxRuns = 10'000'000;
constexpr size_t kMaxPoints = 100'000;

std::string Msg(const absl::Status& s) { return std::string(s.message().data(), s.message().size()); }

struct SweepFlags {
  std::string scenario;
  std::string seeds = "1..100";
  std::vector<std::string> sets;
  std::string compare;
  unsigned threads = 0;
  std::string shard;
  size_t shard_count = 0;
  std::string out;
  bool quiet = false;
};

// --- shards ---------------------------------------------------------------------------------

bool ParseSize(const std::string& text, size_t* out) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *out = std::stoul(text);
  return true;
}

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// The shard this process runs: --shard I/N, else a Slurm job array task, else a Kubernetes
// Indexed Job completion index (count from --shard-count or RMQSIM_SHARD_COUNT). `note` says where
// it came from. nullopt: the whole work list.
absl::StatusOr<std::optional<reports::Shard>> ResolveShard(const SweepFlags& f, std::string* note) {
  auto bad = [](const std::string& why) { return absl::InvalidArgumentError(why); };
  auto make = [&](size_t index, size_t count,
                  const std::string& from) -> absl::StatusOr<std::optional<reports::Shard>> {
    if (count == 0 || index >= count) {
      return bad(absl::StrCat(from, ": shard ", index, "/", count,
                              " is out of range (I/N needs 0 <= I < N)"));
    }
    if (from != "--shard") *note = absl::StrCat("shard ", index, "/", count, " from ", from);
    if (count == 1) return std::optional<reports::Shard>();
    return std::optional<reports::Shard>(reports::Shard{index, count});
  };
  if (!f.shard.empty()) {
    std::vector<std::string> parts = absl::StrSplit(f.shard, '/');
    size_t i = 0, n = 0;
    if (parts.size() != 2 || !ParseSize(parts[0], &i) || !ParseSize(parts[1], &n)) {
      return bad(absl::StrCat("--shard ", f.shard, ": expected I/N, e.g. 0/4 (I counts from 0)"));
    }
    return make(i, n, "--shard");
  }
  if (const char* id = Env("SLURM_ARRAY_TASK_ID")) {
    size_t task = 0, count = 0, min = 0, step = 1;
    const char* c = Env("SLURM_ARRAY_TASK_COUNT");
    const char* lo = Env("SLURM_ARRAY_TASK_MIN");
    const char* st = Env("SLURM_ARRAY_TASK_STEP");
    if (!ParseSize(id, &task) || !c || !ParseSize(c, &count) || (lo && !ParseSize(lo, &min)) ||
        (st && (!ParseSize(st, &step) || step == 0)) || task < min || (task - min) % step != 0) {
      return bad(absl::StrCat("SLURM_ARRAY_TASK_ID=", id,
                              ": cannot derive a shard (needs SLURM_ARRAY_TASK_COUNT, and "
                              "SLURM_ARRAY_TASK_MIN/STEP when the array does not start at 0); "
                              "pass --shard I/N"));
    }
    return make((task - min) / step, count,
                absl::StrCat("SLURM_ARRAY_TASK_ID=", id, " of SLURM_ARRAY_TASK_COUNT=", count));
  }
  if (const char* idx = Env("JOB_COMPLETION_INDEX")) {
    size_t index = 0, count = f.shard_count;
    std::string from = absl::StrCat("JOB_COMPLETION_INDEX=", idx);
    if (count == 0) {
      const char* c = Env("RMQSIM_SHARD_COUNT");
      if (!c || !ParseSize(c, &count)) {
        return bad(absl::StrCat(from, ": the shard count is unknown; pass --shard-count N (the "
                                      "Job's completions) or set RMQSIM_SHARD_COUNT"));
      }
      absl::StrAppend(&from, " of RMQSIM_SHARD_COUNT=", count);
    } else {
      absl::StrAppend(&from, " of --shard-count ", count);
    }
    if (!ParseSize(idx, &index)) return bad(absl::StrCat(from, ": not a number"));
    return make(index, count, from);
  }
  if (f.shard_count != 0) {
    return bad("--shard-count needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); elsewhere "
               "use --shard I/N");
  }
  return std::optional<reports::Shard>();
}

// --- progress -------------------------------------------------------------------------------

std::string Seconds(double s) {
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s / 3600),
                  static_cast<int>(s / 60) % 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  }
  return buf;
}

// Progress on stderr: a bar redrawn in place on a terminal, a line every few seconds otherwise.
// Wall-clock time lives here only; it never reaches an output file.
class Progress {
 public:
  Progress(size_t total, bool quiet)
      : total_(total), quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0),
        start_(std::chrono::steady_clock::now()), last_line_(start_) {}

  std::chrono::milliseconds interval() const {
    return std::chrono::milliseconds(tty_ ? 100 : 1000);
  }

  void Update(size_t done, bool final) {
    if (quiet_) return;
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - start_).count();
    double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    double pct = total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100;
    std::string eta = rate > 0 && done < total_
                          ? Seconds(static_cast<double>(total_ - done) / rate)
                          : std::string("-");
    char stats[160];
    std::snprintf(stats, sizeof stats, "%zu/%zu runs %5.1f%%  %.0f runs/s  %s %s", done, total_,
                  pct, rate, final ? "took" : "ETA", final ? Seconds(elapsed).c_str() : eta.c_str());
    if (tty_) {
      constexpr int kWidth = 30;
      int filled = total_ ? static_cast<int>(kWidth * done / total_) : kWidth;
      std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
      std::fprintf(stderr, "\r\033[Ksweep [%s] %s%s", bar.c_str(), stats, final ? "\n" : "");
    } else if (final || now - last_line_ >= std::chrono::seconds(5)) {
      std::fprintf(stderr, "sweep: %s\n", stats);
      last_line_ = now;
    }
    std::fflush(stderr);
  }

 private:
  size_t total_;
  bool quiet_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_line_;
};

// --- the sweep ------------------------------------------------------------------------------

struct Prepared {
  reports::SweepSpec spec;
  std::vector<sim::Scenario> points;  // one validated scenario per grid point
};

// Loads every grid point's scenario before anything runs: any problem is exit 2.
absl::StatusOr<Prepared> Prepare(const SweepFlags& f) {
  std::string bytes;
  absl::StatusOr<sim::ScenarioDocument> doc = ReadScenario(f.scenario, &bytes);
  if (!doc.ok()) return doc.status();
  absl::StatusOr<std::vector<SetFlag>> sets = ParseSetFlags(f.sets);
  if (!sets.ok()) return sets.status();
  Prepared p;
  reports::SweepSpec& spec = p.spec;
  spec.scenario_path = f.scenario;
  spec.scenario_hash = reports::ScenarioHash(bytes);
  spec.seeds = f.seeds;
  absl::StatusOr<std::vector<uint64_t>> seeds = reports::ParseSeeds(f.seeds, kMaxSeeds);
  if (!seeds.ok()) return seeds.status();
  spec.seed_list = *std::move(seeds);
  for (const SetFlag& s : *sets) {
    if (s.path == "compare" || s.path.rfind("compare[", 0) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--set ", s.path, ": choose the profiles with --compare"));
    }
    spec.sets.push_back(reports::SweepSet{s.path, s.values});
  }
  if (f.compare.find_first_not_of(", ") == std::string::npos && !f.compare.empty()) {
    return absl::InvalidArgumentError("--compare: no profile named (see `rmqsim list`)");
  }
  if (!f.compare.empty()) {
    spec.compare_given = true;
    for (absl::string_view n : absl::StrSplit(f.compare, ',', absl::SkipEmpty())) {
      std::string name(n.data(), n.size());
      if (sim::FindProfile(name) == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("--compare: unknown profile '", name, "' (see `rmqsim list`)"));
      }
      if (std::find(spec.profiles.begin(), spec.profiles.end(), name) == spec.profiles.end()) {
        spec.profiles.push_back(name);
      }
    }
  }
  size_t points = 1;
  for (const reports::SweepSet& s : spec.sets) {
    if (points > kMaxPoints / s.values.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--set: the grid has more than ", kMaxPoints, " points"));
    }
    points *= s.values.size();
  }
  std::vector<std::string> problems;
  for (size_t point = 0; point < points; ++point) {
    sim::ScenarioDocument d = *doc;
    bool path_problem = false;
    for (const auto& [path, value] : spec.PointValues(point)) {
      absl::Status st = d.Set(sim::ScenarioOverride{path, value});
      if (!st.ok()) {
        problems.push_back(Msg(st));
        path_problem = true;
      }
    }
    if (path_problem) break;  // a path problem is the same at every grid point
    absl::StatusOr<sim::Scenario> s = d.Load();
    if (!s.ok()) {
      if (std::find(problems.begin(), problems.end(), Msg(s.status())) == problems.end()) {
        problems.push_back(Msg(s.status()));
      }
      continue;
    }
    if (point == 0) {
      spec.scenario_id = s->id;
      spec.scenario_title = s->title;
      if (!spec.compare_given) spec.profiles = s->compare;
    }
    p.points.push_back(*std::move(s));
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  if (spec.seed_list.size() * spec.profiles.size() > kMaxRuns / points) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the sweep has more than ", kMaxRuns,
        " runs (its outputs are built in memory, about 1.5 KB per run); use fewer seeds or values"));
  }
  spec.generator = GeneratorName();
  // The spec as summary.json records it, so that a sweep and a merge of its shards start from
  // identical values (JSON escaping normalises invalid UTF-8, for one).
  reports::SweepSpec normalized;
  std::optional<reports::Shard> none;
  absl::Status st = reports::ParseSummaryJson(reports::SummaryJson(spec, {}, std::nullopt),
                                              &normalized, &none);
  if (!st.ok()) return st;
  p.spec = std::move(normalized);
  return p;
}

// Runs the work items in `work` on `threads` threads; lines[k] is work[k]'s run line.
std::vector<std::string> RunAll(const Prepared& p, const std::vector<size_t>& work,
                                unsigned threads, bool quiet) {
  std::vector<std::string> lines(work.size());
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex mu;
  std::condition_variable cv;
  auto worker = [&] {
    sim::RunOptions opts;
    opts.record_events = false;
    for (size_t k = next.fetch_add(1); k < work.size(); k = next.fetch_add(1)) {
      reports::SweepSpec::Item item = p.spec.At(work[k]);
      opts.seed = p.spec.seed_list[item.seed_index];
      const sim::Profile* profile = sim::FindProfile(p.spec.profiles[item.profile_index]);
      sim::RunResult r = sim::RunScenario(p.points[item.point], *profile, opts);
      lines[k] = reports::RunLine(p.spec, work[k], r.summary);
      if (done.fetch_add(1) + 1 == work.size()) {
        std::lock_guard<std::mutex> lock(mu);
        cv.notify_all();
      }
    }
  };
  Progress progress(work.size(), quiet);
  std::vector<std::thread> pool;
  unsigned n = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(work.size())));
  for (unsigned i = 0; i < n; ++i) pool.emplace_back(worker);
  {
    std::unique_lock<std::mutex> lock(mu);
    while (done.load() < work.size()) {
      cv.wait_for(lock, progress.interval());
      progress.Update(done.load(), false);
    }
  }
  for (std::thread& t : pool) t.join();
  progress.Update(done.load(), true);
  return lines;
}

int SweepCommand(const SweepFlags& f) {
  std::string note;
  absl::StatusOr<std::optional<reports::Shard>> shard = ResolveShard(f, &note);
  if (!shard.ok()) {
    std::cerr << shard.status().message() << "\n";
    return kExitInvalid;
  }
  absl::StatusOr<Prepared> p = Prepare(f);
  if (!p.ok()) {
    std::cerr << p.status().message() << "\n";
    return kExitInvalid;
  }
  if (absl::Status st = reports::CreateOutputDir(f.out); !st.ok()) {
    std::cerr << st.message() << "\n";
    return kExitInvalid;
  }
  std::vector<size_t> work;
  for (size_t i = 0; i < p->spec.WorkSize(); ++i) {
    if (!*shard || (*shard)->Owns(p->spec, i)) work.push_back(i);
  }
  unsigned threads = f.threads ? f.threads : std::max(1u, std::thread::hardware_concurrency());
  if (!f.quiet) {
    std::fprintf(stderr, "sweep: %zu runs%s on %u thread%s%s%s\n", work.size(),
                 *shard ? absl::StrCat(" (shard ", (*shard)->index, "/", (*shard)->count, " of ",
                                       p->spec.WorkSize(), ")").c_str()
                        : "",
                 threads, threads == 1 ? "" : "s", note.empty() ? "" : "; ", note.c_str());
  }
  std::vector<std::string> lines = RunAll(*p, work, threads, f.quiet);
  std::string table;
  absl::Status st = reports::WriteSweepOutputs(f.out, p->spec, lines, *shard, &table);
  if (!st.ok()) {
    std::cerr << st.message() << "\n";
    return kExitInvalid;
  }
  if (!f.quiet) {
    std::cout << table << "\nwrote " << f.out << "/runs.jsonl, summary.json, table.txt, sweep.html\n";
  }
  return kExitOk;
}

int MergeCommand(const std::vector<std::string>& dirs, const std::string& out, bool quiet) {
  std::string table;
  absl::Status st = reports::MergeSweeps(dirs, out, &table);
  if (!st.ok()) {
    std::cerr << st.message() << "\n";
    return kExitInvalid;
  }
  if (!quiet) {
    std::cout << table << "\nwrote " << out << "/runs.jsonl, summary.json, table.txt, sweep.html\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> AddScaleOutCommands(CLI::App& app) {
  std::vector<Command> out;

  auto sf = std::make_shared<SweepFlags>();
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run a scenario over many seeds and --set values in parallel; statistics per grid point");
  sweep->add_option("scenario", sf->scenario, "Scenario file; default: the built-in #3556 scenario");
  sweep->add_option("--seeds", sf->seeds, "Seeds: A..B ranges and single seeds, comma-separated (default 1..100)");
  sweep->add_option("--set", sf->sets,
                    "PATH=V1,V2,...: sweep a scenario field over these values (repeatable: the "
                    "grid is the cartesian product; PATH as in error messages, e.g. faults[0].at)")
      ->expected(1)  // one value per --set, so a scenario path after it stays positional
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  sweep->add_option("--compare", sf->compare, "Profiles, comma-separated (default: the scenario's)");
  sweep->add_option("--threads", sf->threads, "Parallel runs (default: the number of CPUs)")
      ->check(CLI::Range(1u, 4096u));
  sweep->add_option("--shard", sf->shard,
                    "I/N: run only slice I of N (0 <= I < N; every N-th grid point and seed, "
                    "all profiles); overrides SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX; 0/1 "
                    "runs everything");
  sweep->add_option("--shard-count", sf->shard_count,
                    "N for a Kubernetes Indexed Job (index from JOB_COMPLETION_INDEX; or set "
                    "RMQSIM_SHARD_COUNT)");
  sweep->add_option("--out", sf->out, "Output directory (runs.jsonl, summary.json, table.txt, sweep.html)")
      ->required();
  sweep->add_flag("--quiet", sf->quiet, "No table and no progress; errors only");
  sweep->footer(
      "Examples:\n"
      "  rmqsim sweep --seeds 1..1000 --set producers[0].config.send_latency_fault_enable=false,true --out sweep/\n"
      "  rmqsim sweep scenarios/hung-broker-async.yaml --set 'faults[0].at=5s,10s,20s' "
      "--set producers[0].config.send_msg_timeout=1s,3s --out grid/\n"
      "  rmqsim sweep --seeds 1..1000 --shard 2/4 --out shard-2/   # then: rmqsim merge shard-*/ --out all/\n"
      "Progress goes to stderr (a bar on a terminal). Outputs are identical for any --threads, and\n"
      "`rmqsim merge` of the shards reproduces an unsharded sweep byte for byte.");
  out.emplace_back(sweep, [sf] { return SweepCommand(*sf); });

  auto dirs = std::make_shared<std::vector<std::string>>();
  auto merge_out = std::make_shared<std::string>();
  auto merge_quiet = std::make_shared<bool>(false);
  CLI::App* merge = app.add_subcommand("merge", "Combine the output directories of sweep shards");
  merge->add_option("dirs", *dirs, "Shard output directories (every shard of one sweep)")->required();
  merge->add_option("--out", *merge_out, "Output directory")->required();
  merge->add_flag("--quiet", *merge_quiet, "Print nothing but errors");
  merge->footer("Example:\n  rmqsim merge shard-0/ shard-1/ shard-2/ shard-3/ --out all/");
  out.emplace_back(merge, [dirs, merge_out, merge_quiet] {
    return MergeCommand(*dirs, *merge_out, *merge_quiet);
  });

  out.push_back(AddShrinkCommand(app));
  return out;
}

}  // namespace rmqsim::tools
