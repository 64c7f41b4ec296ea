// Model acceptance tests: determinism and failure as data.
//
// A run depends only on (scenario, profile, seed) (sim/run.h), and every modelled failure ends up
// in the records (an attempt result, an ErrorInfo), never as a C++ exception.
#include <catch2/catch.hpp>

#include "sim/run.h"
#include "tests/sim/model_fixture.h"
#include "tests/sim/model_helpers.h"

namespace rmqsim::testing {
namespace {

using sim::FaultAction;
using sim::Outcome;
using sim::SendMode;

// Three brokers, the calibrated (random) client step time, two producers (one with fault
// tolerance on), every send mode, and a fault of every kind.
sim::Scenario Busy() {
  sim::Scenario s = TwoBrokerScenario(3);
  s.seed = 42;
  s.duration = SimDuration::Seconds(90);
  s.cluster.client_step_time.reset();
  sim::WorkloadSpec sync = Workload(SendMode::kSync, 500, 300, 20);
  sync.threads = 3;
  s.producers[0].send = {sync, Workload(SendMode::kAsync, 700, 400, 25),
                         Workload(SendMode::kOneway, 900, 100, 5)};
  sim::ProducerSpec p2;
  p2.group = "pg2";
  p2.instances = 2;
  SetConfig(p2, "send_latency_fault_enable", true);
  p2.send = {Workload(SendMode::kAsync, 600, 300, 20), Workload(SendMode::kSync, 800, 200, 10)};
  s.producers.push_back(p2);

  sim::FaultSpec kill = Fault(FaultAction::kKill, "broker-a", 3000);
  kill.for_duration = Ms(6000);
  sim::FaultSpec crash = Fault(FaultAction::kCrash, "broker-b", 12000);
  crash.for_duration = Ms(9000);
  sim::FaultSpec slow = SlowFault("broker-c", 5000, 2500);
  slow.for_duration = Ms(8000);
  sim::FaultSpec busy = ErrorFault("broker-a", 20000, 2, "SYSTEM_BUSY");
  busy.ratio = sim::Ratio{1, 3};
  busy.for_duration = Ms(4000);
  sim::FaultSpec drop = Fault(FaultAction::kDropResponses, "broker-c", 26000);
  drop.ratio = sim::Ratio{1, 2};
  drop.for_duration = Ms(3000);
  sim::FaultSpec part = Fault(FaultAction::kPartition, "broker-a", 31000);
  part.from_group = "pg2";
  part.for_duration = Ms(5000);
  s.faults = {kill, crash, slow, busy, drop, part};
  return s;
}

TEST_CASE("architecture.md data flow: the same seed gives an identical event log and identical records",
          "[model]") {
  for (const char* name : {"4.9.0", "4.9.3"}) {
    SECTION(name) {
      sim::Scenario s = Busy();
      sim::RunResult r1 = sim::RunScenario(s, Profile(name), {});
      sim::RunResult r2 = sim::RunScenario(s, Profile(name), {});
      REQUIRE(r1.events.size() > 1000);
      CHECK(r1.events.size() == r2.events.size());
      CHECK(r1.events == r2.events);
      CHECK(r1.events_executed == r2.events_executed);
      CHECK(r1.end == r2.end);
      REQUIRE(r1.messages.size() == r2.messages.size());
      for (size_t i = 0; i < r1.messages.size(); ++i) {
        const sim::MessageRecord& a = r1.messages[i];
        const sim::MessageRecord& b = r2.messages[i];
        INFO(a.id);
        CHECK(a.id == b.id);
        CHECK(a.outcome == b.outcome);
        CHECK(a.resolved == b.resolved);
        CHECK(Brokers(a) == Brokers(b));
        CHECK(Queues(a) == Queues(b));
        CHECK(StoredOn(a) == StoredOn(b));
      }
      CHECK(r1.summary.failed == r2.summary.failed);
      CHECK(r1.summary.latency_p99_ms == r2.summary.latency_p99_ms);

      // A different seed draws different thread indexes and step times: a different log.
      sim::RunOptions other;
      other.seed = 43;
      sim::RunResult r3 = sim::RunScenario(s, Profile(name), other);
      CHECK_FALSE(r3.events == r1.events);
    }
  }
}

TEST_CASE("architecture.md exceptions as values: a modelled failure never throws: every fault ends as recorded data", "[model]") {
  for (const char* name : {"4.9.0", "4.9.3"}) {
    SECTION(name) {
      sim::Scenario s = Busy();
      sim::RunResult r;
      REQUIRE_NOTHROW(r = sim::RunScenario(s, Profile(name), {}));
      CHECK(r.summary.messages == 300 + 400 + 100 + 2 * (300 + 200));
      // The faults did bite...
      CHECK(r.summary.failed > 0);
      CHECK(r.summary.retries > 0);
      // ...and every message was settled by the horizon, each failure with its exception.
      CHECK(r.summary.unresolved == 0);
      for (const sim::MessageRecord& m : r.messages) {
        INFO(m.id);
        REQUIRE(!m.attempts.empty());
        if (m.outcome == Outcome::kFailed) {
          REQUIRE(m.error.has_value());
          CHECK(!m.error->type.empty());
          CHECK(!m.error->message.empty());
        } else {
          CHECK(!m.error.has_value());
        }
        for (const sim::AttemptRecord& a : m.attempts) {
          CHECK(!a.broker.empty());
          CHECK(a.end.has_value());
          CHECK(!a.result.empty());
        }
        CHECK(m.callbacks <= 1);
      }
    }
  }
}

}  // namespace
}  // namespace rmqsim::testing
