// Compact accounting (sim/tally.h, RunOptions::accounting): the summary of a compact run equals the
// full run's, metric for metric, for every shipped scenario under every profile; the tally's own
// percentiles and counters follow Summarize's definitions; and the compact run's invariants still
// find a summary that disagrees with the per-message tallies.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "sim/invariants.h"
#include "sim/profile.h"
#include "sim/run.h"
#include "sim/scenario_loader.h"
#include "sim/tally.h"
#include "tests/test_util.h"

namespace rmqsim::sim {
namespace {

using core::SimDuration;

// Every metric of a summary, named, exactly (doubles printed with all their digits).
std::vector<std::string> Metrics(const Summary& s) {
  std::vector<std::string> out;
  for (std::string_view name : MetricNames()) {
    std::optional<double> v = MetricValue(s, name);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v.value_or(-1));
    out.push_back(std::string(name) + "=" + buf);
  }
  for (const auto& [b, n] : s.stored_by_broker) out.push_back("stored." + b + "=" + std::to_string(n));
  for (const auto& [t, n] : s.errors_by_type) out.push_back("errors." + t + "=" + std::to_string(n));
  return out;
}

std::vector<std::string> ShippedScenarios() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(RMQSIM_SOURCE_DIR) + "/scenarios")) {
    files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST_CASE("compact accounting gives the full run's summary for every shipped scenario and profile",
          "[tally]") {
  std::vector<std::string> files = ShippedScenarios();
  REQUIRE(files.size() >= 20);
  for (const std::string& file : files) {
    absl::StatusOr<Scenario> s = LoadScenarioFile(file);
    REQUIRE_OK(s);
    for (const Profile* p : AllProfiles()) {
      INFO(file << " under " << p->name);
      RunOptions full;
      full.record_events = false;
      RunOptions compact = full;
      compact.accounting = Accounting::kCompact;
      RunResult a = RunScenario(*s, *p, full);
      RunResult b = RunScenario(*s, *p, compact);
      // Consumers (#10) read their metrics from per-message records: those runs keep them.
      const bool compactable = s->consumers.empty();
      CHECK(b.accounting == (compactable ? Accounting::kCompact : Accounting::kFull));
      CHECK(b.messages.empty() == compactable);
      CHECK(!a.messages.empty());
      CHECK(Metrics(b.summary) == Metrics(a.summary));
      CHECK(b.events_executed == a.events_executed);
    }
  }
}

TEST_CASE("the tally's percentiles are Summarize's nearest ranks, long latencies included",
          "[tally]") {
  OutcomeTally t;
  std::vector<MessageRecord> records;
  // Latencies spread over the radix digits, duplicates, and two of 2^32 ns or more.
  const int64_t ns[] = {5, 5, 70000, 1 << 20, (1LL << 32) - 1, 1LL << 32, 9000000000LL, 3, 65536,
                        65535, 256, 255, 123456789};
  for (int64_t x : ns) {
    int64_t m = t.NewMessage(SendMode::kAsync);
    t.BeginAttempt(m);
    t.Resolve(m, Outcome::kOk, SimDuration::Nanos(x), nullptr);
    MessageRecord r;
    r.mode = SendMode::kAsync;
    r.sent = core::SimTime::Zero();
    r.resolved = core::SimTime::Zero() + SimDuration::Nanos(x);
    r.outcome = Outcome::kOk;
    r.callbacks = 1;
    r.attempts.resize(1);
    records.push_back(r);
  }
  Summary want = Summarize(records);
  Summary got = t.ToSummary();
  CHECK(got.latency_p50_ms == want.latency_p50_ms);
  CHECK(got.latency_p99_ms == want.latency_p99_ms);
  CHECK(got.latency_max_ms == want.latency_max_ms);
  CHECK(got.lost == want.lost);
  CHECK(got.silent_loss == want.silent_loss);
  CHECK(Metrics(got) == Metrics(want));
}

TEST_CASE("copies stored after a message's result still count, on each broker once", "[tally]") {
  OutcomeTally t;
  int64_t m = t.NewMessage(SendMode::kSync);
  t.BeginAttempt(m);
  t.RequestArrived(m);
  ErrorInfo e{"MQClientException", "timeout", "", 0};
  t.Resolve(m, Outcome::kFailed, SimDuration::Millis(3000), &e);
  Summary before = t.ToSummary();
  CHECK(before.lost == 1);
  CHECK(before.false_failure == 0);
  t.Stored(m, "broker-a");  // the response was lost, the copy is stored late
  t.RequestArrived(m);
  t.Stored(m, "broker-a");
  Summary after = t.ToSummary();
  CHECK(after.lost == 0);
  CHECK(after.stored == 1);
  CHECK(after.false_failure == 1);
  CHECK(after.duplicated == 1);
  CHECK(after.stored_by_broker == std::map<std::string, int64_t>{{"broker-a", 1}});
  CHECK(after.errors_by_type == std::map<std::string, int64_t>{{"MQClientException", 1}});
  Summary recount = t.Recount();
  after.latency_p50_ms = after.latency_p99_ms = after.latency_max_ms = 0;
  CHECK(Metrics(recount) == Metrics(after));
}

TEST_CASE("a compact run's invariants catch a summary that disagrees with the tallies",
          "[tally]") {
  absl::StatusOr<Scenario> s = LoadScenarioFile(std::string(RMQSIM_SOURCE_DIR) +
                                                "/scenarios/send-modes-under-kill.yaml");
  REQUIRE_OK(s);
  const Profile& p = *FindProfile("4.9.3");
  // The same inputs RunScenario checks, rebuilt from a world the test runs itself.
  RunOptions compact;
  compact.accounting = Accounting::kCompact;
  RunResult r = RunScenario(*s, p, compact);
  OutcomeTally t;
  for (int64_t i = 0; i < r.summary.messages; ++i) {
    int64_t m = t.NewMessage(SendMode::kSync);
    t.BeginAttempt(m);
  }
  InvariantInputs in;
  in.horizon = core::SimTime::Zero() + s->duration;
  in.tally = &t;
  // The tallies say no message was resolved, the run's summary says otherwise.
  std::string v = absl::StrJoin(FindRunInvariantViolations(r, in), "\n");
  CHECK(v.find("but the per-message tallies give") != std::string::npos);
  CHECK(v.find("has outcome unresolved and 0 callbacks") == std::string::npos);
}

}  // namespace
}  // namespace rmqsim::sim
