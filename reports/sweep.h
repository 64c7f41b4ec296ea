// `rmqsim sweep` results: the work list, one JSON line per run, and everything computed from
// those lines (statistics per grid point and profile, worst runs, the printed table, summary.json
// and sweep.html).
//
// A sweep is the cartesian product of the `--set` value lists (the first --set varies slowest)
// times the seeds times the compared profiles. Work item i is
//
//   i = (point * seeds + seed_index) * profiles + profile_index
//
// and every output is a pure function of (SweepSpec, the run lines sorted by i). Runs may finish
// in any order on any number of threads or machines: `rmqsim merge` of shards gives the bytes one
// unsharded sweep gives, because both go through WriteSweepOutputs with the same lines.
//
//   SweepSpec spec = ...;                                // from the command line
//   std::vector<std::string> lines(spec.WorkSize());
//   lines[i] = RunLine(spec, i, summary_of_run_i);       // on any thread
//   absl::Status st = WriteSweepOutputs("out/", spec, lines, std::nullopt, &table);
#ifndef RMQSIM_REPORTS_SWEEP_H_
#define RMQSIM_REPORTS_SWEEP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reports/sweep_stats.h"
#include "sim/outcome.h"

namespace rmqsim::reports {

// One swept scenario field: `--set PATH=V1,V2,...`.
struct SweepSet {
  std::string path;
  std::vector<std::string> values;
};

struct SweepSpec {
  std::string scenario_path;   // as given on the command line; empty: the built-in default
  std::string scenario_id;
  std::string scenario_title;
  std::string scenario_hash;   // "fnv1a64:0123456789abcdef" of the scenario file's bytes
  std::string seeds;           // as given: "1..1000", "1,5,9..12"
  std::vector<uint64_t> seed_list;  // ParseSeeds(seeds)
  std::vector<SweepSet> sets;
  std::vector<std::string> profiles;
  bool compare_given = false;  // profiles came from --compare (replay commands repeat it)
  std::string generator;       // "rmqsim 0.1.0 (abc123)"

  size_t Points() const;
  size_t WorkSize() const { return Points() * seed_list.size() * profiles.size(); }
  // The values of grid point `point`, one per set.
  std::vector<std::pair<std::string, std::string>> PointValues(size_t point) const;
  struct Item {
    size_t point = 0;
    size_t seed_index = 0;
    size_t profile_index = 0;
  };
  Item At(size_t index) const;
};

// "1..1000", "7", "1,2,10..20": the seeds in the order given. InvalidArgument naming the problem
// (empty, malformed, reversed range, a seed listed twice, more than `max_seeds`).
absl::StatusOr<std::vector<uint64_t>> ParseSeeds(std::string_view text, size_t max_seeds);

// "fnv1a64:..." of `bytes`.
std::string ScenarioHash(std::string_view bytes);

// A word for a POSIX shell: as is when it is safe, else single-quoted.
std::string ShellQuote(std::string_view word);

// The command that replays one run of the sweep: `rmqsim run [SCENARIO] --seed N [--compare ...]
// [--set PATH=VALUE]...`.
std::string ReplayCommand(const SweepSpec& spec, size_t point, uint64_t seed);

// The runs.jsonl line (no newline) of work item `index`: grid point, its set values, seed,
// profile and every metric of the summary.
std::string RunLine(const SweepSpec& spec, size_t index, const sim::Summary& summary);

// A parsed run line.
struct RunRecord {
  size_t index = 0;
  size_t point = 0;
  uint64_t seed = 0;
  std::string profile;
  std::vector<std::pair<std::string, double>> metrics;
};
absl::StatusOr<RunRecord> ParseRunLine(std::string_view line);

struct MetricStats {
  std::string name;
  SampleStats stats;
};

// A proportion pooled over the runs of a group (Wilson interval).
struct RateStats {
  std::string name;         // "loss_rate"
  std::string definition;   // "lost / messages"
  double successes = 0;     // summed over runs
  double trials = 0;
  double value = 0;         // successes / trials (0 when trials is 0)
  double min = 0, max = 0;  // of the per-run proportions
  std::optional<Interval> ci95;  // unset when trials is 0
};

// The run of a group with the most lost messages, then failed, then duplicated (the first in
// work-list order on a tie).
struct WorstRun {
  uint64_t seed = 0;
  double lost = 0, failed = 0, duplicated = 0;
  std::string command;
};

struct GroupSummary {
  size_t point = 0;
  std::string profile;
  size_t runs = 0;
  std::vector<MetricStats> metrics;  // messages, ok, ... then stored.*, errors.*
  std::vector<RateStats> rates;      // loss_rate, failed_rate, duplicated_rate, runs_losing
  std::optional<WorstRun> worst;
};

struct SweepSummary {
  std::vector<GroupSummary> groups;  // by point, then profile in spec order
  size_t runs = 0;
};

// REQUIRES: records sorted by index.
SweepSummary SummarizeSweep(const SweepSpec& spec, const std::vector<RunRecord>& records);

// This machine's part of the work list. Work is dealt round-robin by (grid point, seed) — unit
// u = i / profiles — so each shard runs every profile of its seeds and gets a fair share of every
// grid point: item i belongs to shard (i / profiles) % count.
struct Shard {
  size_t index = 0;
  size_t count = 1;
  bool Owns(const SweepSpec& spec, size_t work_index) const {
    return (work_index / spec.profiles.size()) % count == index;
  }
  // How many work items Owns() accepts.
  size_t Runs(const SweepSpec& spec) const {
    size_t units = spec.Points() * spec.seed_list.size();
    return (units / count + (index < units % count ? 1 : 0)) * spec.profiles.size();
  }
};

// The metrics the printed table and the page show (every plain metric a run has).
std::vector<std::string> TableMetrics(const GroupSummary& g);

// The printed comparison: one table per grid point and profile (mean, 95% CI, min, max), the
// rates and the worst run with the command that replays it.
std::string SweepTable(const SweepSpec& spec, const SweepSummary& summary,
                       const std::optional<Shard>& shard);

// summary.json ("rmqsim-sweep/1"): the spec, the shard (if any) and every group's statistics.
std::string SummaryJson(const SweepSpec& spec, const SweepSummary& summary,
                        const std::optional<Shard>& shard);
// The spec back from a summary.json's text (for `rmqsim merge`), and the shard it names.
absl::Status ParseSummaryJson(std::string_view text, SweepSpec* spec, std::optional<Shard>* shard);

// Creates DIR (and its parents) unless it exists; InvalidArgument "DIR: ..." if that fails or DIR
// is not a directory. `sweep` calls it before running anything.
absl::Status CreateOutputDir(const std::string& dir);

// Writes DIR/runs.jsonl, DIR/summary.json, DIR/table.txt and DIR/sweep.html (each atomically;
// DIR is created). `lines` are the runs done, sorted by work index. `table` receives the printed
// table.
absl::Status WriteSweepOutputs(const std::string& dir, const SweepSpec& spec,
                               const std::vector<std::string>& lines,
                               const std::optional<Shard>& shard, std::string* table);

// `rmqsim merge`: reads each DIR's summary.json and runs.jsonl, checks that they are the shards of
// one sweep, complete and not overlapping, and writes the outputs of the whole sweep to `out`.
absl::Status MergeSweeps(const std::vector<std::string>& dirs, const std::string& out,
                         std::string* table);

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_SWEEP_H_
