// rmqsim: the command-line front end. It parses flags, calls the library and maps the result to
// an exit status:
//   0  success (check: every expectation held)
//   1  check: at least one expectation fell short
//   2  invalid input or usage (nothing was run)
//   3  internal invariant violated (a bug in rmqsim; printed with the scenario and seed)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "reports/html_timeline.h"
#include "reports/junit.h"
#include "reports/output_file.h"
#include "reports/sweep.h"
#include "reports/text_report.h"
#include "reports/timeline_json.h"
#include "reports/trace_export.h"
#include "sim/expect.h"
#include "sim/invariants.h"
#include "sim/profile.h"
#include "sim/run.h"
#include "sim/scenario_loader.h"
#include "tools/commands.h"
#include "tools/default_scenario.h"

namespace {

namespace fs = std::filesystem;
using rmqsim::sim::Scenario;

constexpr int kExitOk = 0;
constexpr int kExitExpectationFailed = 1;
constexpr int kExitInvalid = 2;

std::string Generator() { return std::string("rmqsim ") + RMQSIM_VERSION + " (" + RMQSIM_GIT_COMMIT + ")"; }

// Scenario files named by `paths`: files as given, folders expanded to their *.yaml, *.yml and
// *.json files (recursively, sorted).
std::vector<std::string> ExpandPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::recursive_directory_iterator(p, ec)) {
        std::string ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) {
          found.push_back(e.path().lexically_normal().string());
        }
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(p);
    }
  }
  return out;
}

absl::StatusOr<Scenario> Load(const std::string& path, const rmqsim::sim::LoadLimits& limits,
                              const std::vector<rmqsim::sim::ScenarioOverride>& sets = {}) {
  if (path.empty()) {
    return rmqsim::sim::ParseScenarioWithOverrides(rmqsim::tools::DefaultScenarioText(),
                                                   rmqsim::tools::DefaultScenarioPath(), sets,
                                                   limits);
  }
  return rmqsim::sim::LoadScenarioFileWithOverrides(path, sets, limits);
}

std::vector<rmqsim::sim::RunResult> RunAll(const Scenario& s, uint64_t seed, bool events,
                                           rmqsim::sim::Accounting accounting,
                                           uint64_t max_events = UINT64_MAX,
                                           const std::string& break_invariant = "",
                                           std::vector<double>* wall_seconds = nullptr,
                                           const std::vector<rmqsim::core::EventSink*>* sinks =
                                               nullptr) {
  std::vector<rmqsim::sim::RunResult> runs;
  rmqsim::sim::RunOptions opts;
  opts.seed = seed;
  opts.record_events = events;
  opts.accounting = accounting;
  opts.max_events = max_events;
  opts.break_invariant = break_invariant;
  for (const std::string& name : s.compare) {
    if (sinks != nullptr) opts.extra_sink = (*sinks)[runs.size()];
    auto start = std::chrono::steady_clock::now();
    runs.push_back(rmqsim::sim::RunScenario(s, *rmqsim::sim::FindProfile(name), opts));
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (wall_seconds != nullptr) wall_seconds->push_back(took.count());
  }
  return runs;
}

// --- run ------------------------------------------------------------------------------------

struct RunFlags {
  std::string scenario;
  std::string compare;
  std::vector<std::string> sets;  // --set PATH=VALUE
  std::optional<uint64_t> seed;
  std::string json, html, trace;
  std::string events = "all";
  bool quiet = false;
  bool summary_only = false;
  bool stats = false;
  uint64_t max_messages = rmqsim::sim::LoadLimits{}.max_messages;
  uint64_t max_events = 0;  // 0: no limit
  std::string break_invariant;  // hidden, tests only
};

std::string ReproduceCommand(const RunFlags& f, uint64_t seed, const Scenario& s) {
  std::string cmd = "rmqsim run";
  if (!f.scenario.empty()) absl::StrAppend(&cmd, " ", f.scenario);
  absl::StrAppend(&cmd, " --seed ", seed);
  if (!f.compare.empty()) absl::StrAppend(&cmd, " --compare ", absl::StrJoin(s.compare, ","));
  for (const std::string& set : f.sets) absl::StrAppend(&cmd, " --set ", rmqsim::reports::ShellQuote(set));
  return cmd;
}

int RunCommand(const RunFlags& f) {
  rmqsim::sim::LoadLimits limits;
  limits.max_messages = f.max_messages;
  absl::StatusOr<std::vector<rmqsim::sim::ScenarioOverride>> sets =
      rmqsim::tools::SingleValueOverrides(f.sets);
  if (!sets.ok()) {
    std::cerr << sets.status().message() << "\n";
    return kExitInvalid;
  }
  absl::StatusOr<Scenario> loaded = Load(f.scenario, limits, *sets);
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return kExitInvalid;
  }
  Scenario s = *std::move(loaded);
  if (!f.compare.empty()) {
    std::vector<std::string> names = absl::StrSplit(f.compare, ',', absl::SkipEmpty());
    for (const std::string& n : names) {
      if (rmqsim::sim::FindProfile(n) == nullptr) {
        std::cerr << "--compare: unknown profile '" << n << "' (see `rmqsim list`)\n";
        return kExitInvalid;
      }
    }
    s.compare = names;
  }
  for (const std::string* out : {&f.json, &f.html, &f.trace}) {
    if (!out->empty() && !f.scenario.empty() && rmqsim::reports::SameFile(*out, f.scenario)) {
      std::cerr << *out << ": refusing to overwrite the scenario file with a report\n";
      return kExitInvalid;
    }
  }
  const bool writes_files = !f.json.empty() || !f.html.empty() || !f.trace.empty();
  if (f.summary_only && writes_files) {
    std::cerr << "--summary-only keeps no per-message records: it cannot write --json, --html or "
                 "--trace\n";
    return kExitInvalid;
  }
  // Two reports into one file: the second would silently replace the first.
  const std::pair<const char*, const std::string*> outputs[] = {
      {"--json", &f.json}, {"--html", &f.html}, {"--trace", &f.trace}};
  for (size_t i = 0; i < std::size(outputs); ++i) {
    for (size_t j = i + 1; j < std::size(outputs); ++j) {
      const std::string& a = *outputs[i].second;
      const std::string& b = *outputs[j].second;
      if (!a.empty() && a != "-" && (a == b || rmqsim::reports::SameFile(a, b))) {
        std::cerr << b << ": " << outputs[i].first << " and " << outputs[j].first
                  << " name the same file\n";
        return kExitInvalid;
      }
    }
  }
  uint64_t seed = f.seed.value_or(s.seed);
  bool need_events = f.events == "all";
  // Nothing per-message is printed or written: keep only the summary's few bytes per message.
  const bool compact = f.summary_only || (f.quiet && !writes_files);
  std::vector<double> wall;
  // The terminal report reads no events: keep them only for a file that includes them. The
  // timeline JSON alone streams them to a spool per run instead (the HTML and trace reports read
  // them in memory).
  const bool spool_events = need_events && !f.json.empty() && f.html.empty() && f.trace.empty();
  std::vector<std::unique_ptr<rmqsim::reports::EventSpool>> spools;
  std::vector<rmqsim::core::EventSink*> spool_sinks;
  if (spool_events) {
    for (size_t i = 0; i < s.compare.size(); ++i) {
      spools.push_back(std::make_unique<rmqsim::reports::EventSpool>());
      spool_sinks.push_back(spools.back().get());
    }
  }
  std::vector<rmqsim::sim::RunResult> runs =
      RunAll(s, seed, need_events && writes_files && !spool_events,
             compact ? rmqsim::sim::Accounting::kCompact : rmqsim::sim::Accounting::kFull,
             f.max_events == 0 ? UINT64_MAX : f.max_events, f.break_invariant, &wall,
             spool_events ? &spool_sinks : nullptr);
  if (f.stats) {
    // Wall-clock figures go to stderr: stdout stays a function of (scenario, seed, profiles).
    for (size_t i = 0; i < runs.size(); ++i) {
      const rmqsim::sim::RunResult& r = runs[i];
      std::fprintf(stderr,
                   "stats: profile %s: %lld messages, %llu scheduler events, virtual %.3f s, "
                   "wall %.3f s, %.0f messages/s, %.0f events/s\n",
                   r.profile.c_str(), static_cast<long long>(r.summary.messages),
                   static_cast<unsigned long long>(r.events_executed), r.end.ms_double() / 1000,
                   wall[i], static_cast<double>(r.summary.messages) / wall[i],
                   static_cast<double>(r.events_executed) / wall[i]);
    }
  }
  // A run cut short by the event budget is not a result: report it and write nothing.
  for (const rmqsim::sim::RunResult& r : runs) {
    if (r.event_limit_reached) {
      std::cerr << (f.scenario.empty() ? s.path : f.scenario) << ": the " << r.profile
                << " run needs more than " << f.max_events
                << " scheduler events (--max-events) to reach its horizon; stopped at "
                << r.end.ms_double() << " ms, nothing written\n";
      return kExitInvalid;
    }
  }
  if (!f.quiet) rmqsim::reports::WriteComparison(std::cout, s, runs, seed);
  Scenario stamped = s;
  stamped.seed = seed;
  auto write = [&](const std::string& path, const std::function<void(std::ostream&)>& fn) {
    if (path.empty()) return true;
    absl::Status st = rmqsim::reports::WriteFileAtomically(path, fn);
    if (!st.ok()) {
      std::cerr << st.message() << "\n";
      return false;
    }
    if (!f.quiet) std::cout << "wrote " << path << "\n";
    return true;
  };
  bool ok = write(f.json, [&](std::ostream& o) {
    rmqsim::reports::TimelineOptions opts;
    opts.generator = Generator();
    opts.include_events = need_events;
    for (const auto& spool : spools) opts.event_spools.push_back(spool.get());
    rmqsim::reports::WriteTimelineJson(o, stamped, runs, opts);
  });
  ok = ok && write(f.html, [&](std::ostream& o) {
    rmqsim::reports::HtmlOptions opts;
    opts.generator = Generator();
    opts.reproduce_command = ReproduceCommand(f, seed, s);
    rmqsim::reports::WriteHtmlTimeline(o, stamped, runs, opts);
  });
  ok = ok && write(f.trace, [&](std::ostream& o) {
    rmqsim::reports::TraceOptions opts;
    opts.generator = Generator();
    opts.include_events = need_events;
    rmqsim::reports::WriteTraceJson(o, stamped, runs, opts);
  });
  return ok ? kExitOk : kExitInvalid;
}

// --- check ----------------------------------------------------------------------------------

int CheckCommand(const std::vector<std::string>& paths, const std::string& junit,
                 std::optional<uint64_t> seed_flag) {
  std::vector<std::string> files = ExpandPaths(paths);
  if (files.empty()) {
    std::cerr << "check: no scenario files found in " << absl::StrJoin(paths, " ") << "\n";
    return kExitInvalid;
  }
  for (const std::string& file : files) {
    if (!junit.empty() && rmqsim::reports::SameFile(junit, file)) {
      std::cerr << junit << ": refusing to overwrite a scenario file with the JUnit report\n";
      return kExitInvalid;
    }
  }
  bool invalid = false, failed = false;
  std::vector<rmqsim::reports::JunitSuite> suites;
  for (const std::string& file : files) {
    rmqsim::reports::JunitSuite suite;
    suite.name = file;
    absl::StatusOr<Scenario> s = Load(file, {});
    if (!s.ok()) {
      std::cerr << s.status().message() << "\n";
      std::cout << "INVALID " << file << "\n";
      suite.error = std::string(s.status().message());
      suites.push_back(std::move(suite));
      invalid = true;
      continue;
    }
    suite.id = s->id;
    uint64_t seed = seed_flag.value_or(s->seed);
    // Expectations read the summary only: compact accounting.
    std::vector<rmqsim::sim::RunResult> runs =
        RunAll(*s, seed, /*events=*/false, rmqsim::sim::Accounting::kCompact);
    for (const auto& run : runs) {
      rmqsim::reports::JunitCase c;
      c.profile = run.profile;
      c.assertions = rmqsim::sim::EvaluateExpectations(*s, run);
      std::vector<std::string> bad;
      for (const auto& a : c.assertions) {
        if (!a.passed) {
          bad.push_back(absl::StrCat(a.Describe(), " (", file, ":", a.expectation.loc.line, ":",
                                     a.expectation.loc.column, ")"));
        }
      }
      if (bad.empty()) {
        std::cout << "PASS " << file << " [" << run.profile << "] " << c.assertions.size()
                  << " assertions\n";
      } else {
        failed = true;
        std::cout << "FAIL " << file << " [" << run.profile << "] " << absl::StrJoin(bad, "; ")
                  << " (reproduce: rmqsim run " << file << " --seed " << seed << ")\n";
      }
      suite.cases.push_back(std::move(c));
    }
    suites.push_back(std::move(suite));
  }
  if (!junit.empty()) {
    absl::Status st = rmqsim::reports::WriteFileAtomically(
        junit, [&](std::ostream& o) { rmqsim::reports::WriteJunit(o, suites); });
    if (!st.ok()) {
      std::cerr << st.message() << "\n";
      return kExitInvalid;
    }
  }
  if (invalid) return kExitInvalid;
  return failed ? kExitExpectationFailed : kExitOk;
}

// --- validate, list -------------------------------------------------------------------------

int ValidateCommand(const std::vector<std::string>& paths) {
  bool invalid = false;
  for (const std::string& file : ExpandPaths(paths)) {
    absl::StatusOr<Scenario> s = Load(file, {});
    if (s.ok()) {
      std::cout << "OK " << file << "\n";
    } else {
      std::cerr << s.status().message() << "\n";
      invalid = true;
    }
  }
  return invalid ? kExitInvalid : kExitOk;
}

int ListCommand() {
  std::cout << "Profiles (client releases whose producer logic is modelled):\n";
  for (const rmqsim::sim::Profile* p : rmqsim::sim::AllProfiles()) {
    std::printf("  %-7s %-20s %s\n", std::string(p->name).c_str(),
                std::string(p->upstream_tag).c_str(), std::string(p->summary).c_str());
  }
  std::string dir = fs::is_directory("scenarios") ? "scenarios" : RMQSIM_SCENARIO_DIR;
  std::cout << "\nScenarios (" << dir << "):\n";
  std::cout << "  (built-in default) " << rmqsim::tools::DefaultScenarioPath() << "\n";
  for (const std::string& file : ExpandPaths({dir})) {
    absl::StatusOr<Scenario> s = Load(file, {});
    std::printf("  %-52s %s\n", file.c_str(),
                s.ok() ? s->title.c_str() : "(invalid: run `rmqsim validate`)");
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rmqsim: deterministic simulator of Apache RocketMQ producer retry behaviour.\n"
               "Runs scenarios against client behaviour profiles (4.9.0, 4.9.3, 4.9.8, 5.3.3) on a\n"
               "virtual clock."};
  app.set_version_flag("--version", Generator());
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 ok; 1 an expectation failed (check); 2 invalid input or usage; 3 internal "
      "invariant violated (a bug).\n\nExamples:\n  rmqsim run\n  rmqsim run "
      "scenarios/hung-broker-async.yaml --html report.html\n  rmqsim check scenarios/ --junit "
      "results.xml");

  RunFlags rf;
  CLI::App* run = app.add_subcommand("run", "Run a scenario under every compared profile and print the comparison");
  run->add_option("scenario", rf.scenario, "Scenario file (.yaml/.yml/.json); default: the built-in #3556 scenario");
  run->add_option("--compare", rf.compare, "Profiles to compare, comma-separated (overrides the scenario's compare)");
  run->add_option("--seed", rf.seed, "Seed (overrides the scenario's seed)");
  run->add_option("--set", rf.sets, "PATH=VALUE: override a scenario field before validation (repeatable), e.g. faults[0].at=5s")
      ->expected(1)  // one value per --set, so a scenario path after it stays positional
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  run->add_option("--json", rf.json, "Write the timeline JSON (rmqsim-timeline/1) to FILE");
  run->add_option("--html", rf.html, "Write the HTML timeline report to FILE");
  run->add_option("--trace", rf.trace, "Write a Chrome/Perfetto trace to FILE");
  run->add_option("--events", rf.events, "Event log in the outputs: all or none")
      ->check(CLI::IsMember({"all", "none"}));
  run->add_option("--max-messages", rf.max_messages, "Refuse scenarios that plan more messages than this");
  run->add_option("--max-events", rf.max_events,
                  "Give up (exit 2, nothing written) if a run needs more scheduler events than this; 0: no limit");
  run->add_flag("--quiet", rf.quiet, "Print nothing but errors");
  run->add_flag("--stats", rf.stats,
                "Print each run's scheduler events, virtual and wall-clock time to stderr");
  run->add_flag("--summary-only", rf.summary_only,
                "Print the summary metrics only and keep no per-message records (long runs: "
                "memory bounded by the messages in flight plus a few bytes per message); not with "
                "--json, --html or --trace");
  std::vector<std::string> break_kinds(std::begin(rmqsim::sim::kBreakInvariantKinds),
                                       std::end(rmqsim::sim::kBreakInvariantKinds));
  // Hidden (empty group): tests force an invariant violation to check exit status 3.
  run->add_option("--test-break-invariant", rf.break_invariant)
      ->check(CLI::IsMember(break_kinds))
      ->group("");
  run->footer("Examples:\n  rmqsim run\n  rmqsim run scenarios/killed-vs-crashed.yaml --seed 3 --json out.json\n  rmqsim run x.yaml --compare 4.9.0 --html x.html --events none");

  std::vector<std::string> check_paths;
  std::string junit;
  std::optional<uint64_t> check_seed;
  CLI::App* check = app.add_subcommand("check", "Run every scenario's expect blocks; exit 1 if any falls short");
  check->add_option("paths", check_paths, "Scenario files or folders")->required();
  check->add_option("--junit", junit, "Write JUnit XML results to FILE");
  check->add_option("--seed", check_seed, "Seed for every scenario (default: each scenario's own)");
  check->footer("Examples:\n  rmqsim check scenarios/\n  rmqsim check scenarios/ ci/extra.yaml --junit rmqsim.xml");

  std::vector<std::string> validate_paths;
  CLI::App* validate = app.add_subcommand("validate", "Load scenario files and report every problem (nothing is run)");
  validate->add_option("paths", validate_paths, "Scenario files or folders")->required();
  validate->footer("Example:\n  rmqsim validate scenarios/my-case.yaml");

  CLI::App* list = app.add_subcommand("list", "List client profiles and shipped scenarios");
  list->footer("Example:\n  rmqsim list");

  std::vector<rmqsim::tools::Command> more = rmqsim::tools::AddScaleOutCommands(app);  // sweep, merge, shrink

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitInvalid;
  }
  if (*run) return RunCommand(rf);
  if (*check) return CheckCommand(check_paths, junit, check_seed);
  if (*validate) return ValidateCommand(validate_paths);
  if (*list) return ListCommand();
  for (auto& [cmd, fn] : more) {
    if (*cmd) return fn();
  }
  return kExitInvalid;
}
