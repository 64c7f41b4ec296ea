// Run invariants (sim/invariants.h): the checker finds each kind of violation in a hand-made run;
// every shipped scenario's runs hold them; and a violation forced through the test-only hook
// (`rmqsim run --test-break-invariant KIND`) stops rmqsim with exit status 3, the invariant, the
// message or event that broke it, the scenario, the seed and the profile.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "sim/invariants.h"
#include "sim/profile.h"
#include "sim/run.h"
#include "sim/scenario_loader.h"
#include "tests/child_process.h"
#include "tests/test_util.h"

namespace rmqsim::sim {
namespace {

using core::SimDuration;
using core::SimTime;

SimTime Ms(int64_t ms) { return SimTime::Zero() + SimDuration::Millis(ms); }

// A consistent run: one sync message sent at 10 ms, stored on broker-a at 12 ms, ok at 13 ms.
RunResult GoodRun() {
  RunResult r;
  r.profile = "4.9.0";
  r.end = Ms(1000);
  MessageRecord m;
  m.id = "pg#0/1";
  m.producer = "pg#0";
  m.topic = std::string("TopicTest");
  m.mode = SendMode::kSync;
  m.sent = Ms(10);
  m.resolved = Ms(13);
  m.outcome = Outcome::kOk;
  m.send_status = "SEND_OK";
  m.callbacks = 1;
  m.stored.push_back(StoredCopy{"broker-a", 0, Ms(12)});
  AttemptRecord a;
  a.n = 1;
  a.broker = "broker-a";
  a.start = Ms(11);
  a.end = Ms(13);
  a.result = "SEND_OK";
  m.attempts.push_back(a);
  r.messages.push_back(m);
  r.events.push_back(core::Event{Ms(11), "producer:pg#0", "send", "pg#0/1", "attempt 1"});
  r.events.push_back(core::Event{Ms(12), "broker:broker-a", "stored", "pg#0/1", "queue 0"});
  r.summary = Summarize(r.messages);
  return r;
}

struct Checked {
  std::vector<int32_t> arrivals = {1};
  InvariantInputs in;
  Checked() {
    in.horizon = Ms(1000);
    in.arrivals = &arrivals;
  }
  std::string Run(const RunResult& r) { return absl::StrJoin(FindRunInvariantViolations(r, in), "\n"); }
};

TEST_CASE("a consistent run holds every invariant", "[invariants]") {
  Checked c;
  CHECK(c.Run(GoodRun()).empty());
}

TEST_CASE("invariant 1: time going backwards is found", "[invariants]") {
  Checked c;
  RunResult r = GoodRun();
  std::swap(r.events[0], r.events[1]);
  CHECK(c.Run(r) == "time order: event #2 at 11.000000 ms [producer:pg#0 send pg#0/1: attempt 1] "
                    "comes after an event at 12.000000 ms");
  r = GoodRun();
  r.messages[0].attempts[0].end = Ms(5);
  CHECK(c.Run(r) == "time order: attempt 1 of message pg#0/1 (sync) on broker-a ends at 5.000000 "
                    "ms, before it started at 11.000000 ms");
}

TEST_CASE("invariant 2: anything past the horizon is found", "[invariants]") {
  Checked c;
  RunResult r = GoodRun();
  r.end = Ms(1001);
  CHECK(c.Run(r).find("horizon: the run ended at 1001.000000 ms, after the horizon 1000.000000 ms") == 0);
  r = GoodRun();
  r.messages[0].attempts[0].end = Ms(2000);
  CHECK(c.Run(r) == "horizon: attempt 1 of message pg#0/1 (sync) on broker-a ends at 2000.000000 "
                    "ms, after the run's end at 1000.000000 ms");
}

TEST_CASE("invariant 3: a second resolve is found unless the profile documents it", "[invariants]") {
  Checked c;
  RunResult r = GoodRun();
  r.messages[0].callbacks = 2;
  r.summary = Summarize(r.messages);
  CHECK(c.Run(r).find("resolved at most once: message pg#0/1 (sync) resolved 2 times") == 0);
  c.in.repeat_callback_allowed = true;  // 5.3.3's Q9 path: async only
  CHECK(!c.Run(r).empty());
  r.messages[0].mode = SendMode::kAsync;
  CHECK(c.Run(r).empty());
  c.in.repeat_callback_allowed = false;
  CHECK(!c.Run(r).empty());
  r = GoodRun();
  r.messages[0].callbacks = 0;  // ok without a callback
  r.summary = Summarize(r.messages);
  CHECK(c.Run(r).find("has outcome ok, a result time and 0 callbacks") != std::string::npos);
}

TEST_CASE("invariant 4: more stored copies than requests that reached a broker is found",
          "[invariants]") {
  Checked c;
  RunResult r = GoodRun();
  r.messages[0].stored.push_back(StoredCopy{"broker-b", 1, Ms(14)});
  r.summary = Summarize(r.messages);
  CHECK(c.Run(r) == "stored copies: message pg#0/1 (sync) stored 2 times but only 1 of its requests "
                    "reached a broker (last copy on broker-b at 14.000000 ms)");
  c.arrivals = {2};
  CHECK(c.Run(r).empty());
}

TEST_CASE("invariant 5: a summary that disagrees with the messages is found", "[invariants]") {
  Checked c;
  RunResult r = GoodRun();
  r.summary.ok = 2;
  r.summary.failed = 1;
  CHECK(c.Run(r) == "summary: ok is 2 but the per-message data give 1\n"
                    "summary: failed is 1 but the per-message data give 0");
  r = GoodRun();
  r.summary.stored_by_broker["broker-z"] = 1;
  CHECK(c.Run(r) == "summary: stored.<broker> counts disagree with the per-message data");
}

TEST_CASE("every shipped scenario holds the run invariants under every profile", "[invariants]") {
  // RunScenario checks them at the end of each run (exit 3 otherwise); here they are checked again
  // with the events recorded, for every profile rmqsim has, not only the scenario's compare list.
  for (const char* name :
       {"broker-down-mid-async-send.yaml", "dropped-responses.json", "hung-broker-async.yaml",
        "killed-vs-crashed.yaml", "send-modes-under-kill.yaml", "system-busy-vs-error.yaml"}) {
    absl::StatusOr<Scenario> s =
        LoadScenarioFile(std::string(RMQSIM_SOURCE_DIR) + "/scenarios/" + name);
    REQUIRE_OK(s);
    for (const Profile* p : AllProfiles()) {
      INFO(name << " under " << p->name);
      RunResult r = RunScenario(*s, *p, RunOptions{});
      InvariantInputs in;
      in.horizon = SimTime::Zero() + s->duration;
      in.repeat_callback_allowed = p->async_connect == AsyncConnect::kListener;
      CHECK(absl::StrJoin(FindRunInvariantViolations(r, in), "\n").empty());
      CHECK_FALSE(r.event_limit_reached);
    }
  }
}

TEST_CASE("the event budget stops a run early and says so", "[invariants]") {
  absl::StatusOr<Scenario> s = LoadScenarioFile(std::string(RMQSIM_SOURCE_DIR) +
                                                "/scenarios/broker-down-mid-async-send.yaml");
  REQUIRE_OK(s);
  RunOptions opts;
  opts.max_events = 1000;
  RunResult r = RunScenario(*s, *FindProfile("4.9.0"), opts);
  CHECK(r.event_limit_reached);
  CHECK(r.events_executed == 1000);
  CHECK(r.end < SimTime::Zero() + s->duration);
}

// ---- Forced violations: exit status 3 and the message -------------------------------------------

struct Forced {
  const char* kind;
  const char* expect;  // text the report must contain
};

TEST_CASE("a forced invariant violation stops rmqsim with exit 3, the scenario, seed and event",
          "[invariants]") {
  const std::string scenario = "scenarios/send-modes-under-kill.yaml";
  const Forced cases[] = {
      {"time-backwards", "event scheduled in the past"},
      {"double-resolve", "resolved 2 times"},
      {"stored", "of its requests reached a broker"},
      {"past-horizon", "after the run's end"},
      {"summary", "summary: ok is"},
  };
  for (const Forced& f : cases) {
    INFO(f.kind);
    testing::ChildResult r = testing::RunChild(
        {RMQSIM_BINARY, "run", scenario, "--seed", "11", "--compare", "4.9.3", "--quiet",
         "--test-break-invariant", f.kind});
    INFO(r.out);
    CHECK(r.exit_status == 3);
    CHECK(r.out.find("rmqsim: internal invariant violated") != std::string::npos);
    CHECK(r.out.find(f.expect) != std::string::npos);
    CHECK(r.out.find("[scenario " + scenario + " seed 11 profile 4.9.3]") != std::string::npos);
    CHECK(r.out.find("This is a bug in rmqsim, not a model outcome") != std::string::npos);
  }
}

TEST_CASE("the test-only hook is hidden and checked", "[invariants]") {
  testing::ChildResult help = testing::RunChild({RMQSIM_BINARY, "run", "--help"});
  CHECK(help.exit_status == 0);
  CHECK(help.out.find("break-invariant") == std::string::npos);
  testing::ChildResult bad =
      testing::RunChild({RMQSIM_BINARY, "run", "--test-break-invariant", "nonsense"});
  CHECK(bad.exit_status == 2);
}

}  // namespace
}  // namespace rmqsim::sim
