// Model acceptance tests: routes and queue selection (rocketmq-behaviour.md §5.2, §7, §8, §10.12).
#include <catch2/catch.hpp>

#include <climits>
#include <set>

#include "sim/fault_strategy.h"
#include "sim/route.h"
#include "sim/run.h"
#include "tests/sim/model_fixture.h"
#include "tests/sim/model_helpers.h"

namespace rmqsim::testing {
namespace {

using sim::FaultAction;
using sim::Outcome;
using sim::SendMode;
using VS = std::vector<std::string>;
using VI = std::vector<int32_t>;

const VS kBothBrokers = {"broker-a:0", "broker-a:1", "broker-a:2", "broker-a:3",
                         "broker-b:0", "broker-b:1", "broker-b:2", "broker-b:3"};
const VS kOnlyB = {"broker-b:0", "broker-b:1", "broker-b:2", "broker-b:3"};
const VS kOnlyA = {"broker-a:0", "broker-a:1", "broker-a:2", "broker-a:3"};

TEST_CASE("§7 §8 a killed broker leaves the producer's route at the first poll after the name "
          "server dropped it",
          "[model]") {
  for (const char* name : {"4.9.0", "4.9.3"}) {
    SECTION(name) {
      sim::Scenario s = TwoBrokerScenario();
      s.producers[0].send = {WarmUp()};
      s.faults = {Fault(FaultAction::kKill, "broker-a", 5000)};
      StagedRun run(s, Profile(name));
      run.RunUntil(4000);
      REQUIRE(run.publish_info() != nullptr);
      CHECK(QueueList(*run.publish_info()) == kBothBrokers);
      // The name server sees the registration connection close one delay after the kill.
      run.RunUntil(6000);
      auto removed = EventsOf(run.events(), "broker_removed", "nameserver:ns-1");
      REQUIRE(removed.size() == 1);
      CHECK(MsOf(removed[0].t) == 5001);
      // The producer polls at 10 ms + k * 30 s: until 30010 it still has A's queues.
      run.RunUntil(30010);
      CHECK(QueueList(*run.publish_info()) == kBothBrokers);
      run.RunUntil(30100);
      CHECK(QueueList(*run.publish_info()) == kOnlyB);
      auto changes = EventsOf(run.events(), "route_changed", "producer:pg#0");
      REQUIRE(!changes.empty());
      // Poll at 30010: TBW102 (30012, not found), then TopicTest, answered at 30014.
      CHECK(MsOf(changes.back().t) == 30014);
      CHECK(changes.back().text.find(
                "TopicTest: new publish info v2 [broker-b:0 broker-b:1 broker-b:2 broker-b:3]") == 0);
    }
  }
}

TEST_CASE("§7 §8 a crashed (silent) broker stays in the producer's route until the 120 s expiry",
          "[model]") {
  // A registered at 0 (arriving at 1 ms) and goes silent at 5 s, so it sends nothing more. The
  // name server's idle close (serverChannelMaxIdleTimeSeconds 120) fires 120 s after that last
  // registration, at 120001 ms, ahead of the 10 s scan (which would find it at 125 s). The
  // producer learns it at its poll at 120010.
  for (const char* name : {"4.9.0", "4.9.3"}) {
    SECTION(name) {
      sim::Scenario s = TwoBrokerScenario();
      s.duration = SimDuration::Seconds(200);
      s.producers[0].send = {WarmUp()};
      s.faults = {Fault(FaultAction::kCrash, "broker-a", 5000)};
      StagedRun run(s, Profile(name));
      // Polls at 30010, 60010 and 90010 see no change.
      run.RunUntil(90100);
      CHECK(QueueList(*run.publish_info()) == kBothBrokers);
      CHECK(EventsOf(run.events(), "route_changed", "producer:pg#0").size() == 1);
      run.RunUntil(120000);
      CHECK(EventsOf(run.events(), "broker_removed", "nameserver:ns-1").empty());
      CHECK(QueueList(*run.publish_info()) == kBothBrokers);
      run.RunUntil(120010);
      auto removed = EventsOf(run.events(), "broker_removed", "nameserver:ns-1");
      REQUIRE(removed.size() == 1);
      CHECK(MsOf(removed[0].t) == 120001);
      CHECK(QueueList(*run.publish_info()) == kBothBrokers);
      run.RunUntil(120100);
      CHECK(QueueList(*run.publish_info()) == kOnlyB);
      auto changes = EventsOf(run.events(), "route_changed", "producer:pg#0");
      REQUIRE(changes.size() == 2);
      CHECK(MsOf(changes[1].t) == 120014);
    }
  }
}

TEST_CASE("§10.12 quirk Q1: with every broker unavailable (fault tolerance on) the notBestBroker "
          "path rewrites a shared queue, which stays corrupted until the next route change",
          "[model]") {
  for (const char* name : {"4.9.0", "4.9.3"}) {
    SECTION(name) {
      sim::Scenario s = TwoBrokerScenario();
      s.duration = SimDuration::Seconds(640);
      SetConfig(s.producers[0], "send_latency_fault_enable", true);
      s.producers[0].send = {WarmUp(), Workload(SendMode::kSync, 2000, 1),
                             Workload(SendMode::kSync, 610000, 8)};
      s.faults = {Fault(FaultAction::kKill, "broker-a", 500),
                  Fault(FaultAction::kKill, "broker-b", 500),
                  Fault(FaultAction::kStart, "broker-a", 3000),
                  Fault(FaultAction::kStart, "broker-b", 3000),
                  Fault(FaultAction::kKill, "broker-b", 620000)};
      StagedRun run(s, Profile(name));
      run.RunUntil(1500);
      run.PinIndex(SyncThread(2), 3);
      run.RunUntil(2500);

      // a3 refused (A isolated 600 s), b0 refused (B isolated 600 s); then nothing is available:
      // pickOneAtLeast gives A (equal latency 2 ms, earlier startTimestamp), the plain pick is b2
      // and it is rewritten in place to broker-a queue (index % 4) = 3.
      const sim::MessageRecord& m = run.message(1);
      CHECK(Brokers(m) == VS{"broker-a", "broker-b", "broker-a"});
      CHECK(Queues(m) == VI{3, 0, 3});
      auto picks = EventsOf(run.events(), "select_queue", "producer:pg#0", m.id);
      REQUIRE(picks.size() == 3);
      CHECK(picks[2].text.find("all brokers unavailable: notBestBroker broker-a rewrote a shared "
                               "queue (Q1)") != std::string::npos);
      REQUIRE(m.error.has_value());
      CHECK(m.error->message ==
            "Send [3] times, still failed, cost [6]ms, Topic: TopicTest, BrokersSent: "
            "[broker-a, broker-b, broker-a]");
      const VS corrupted = {"broker-a:0", "broker-a:1", "broker-a:2", "broker-a:3",
                            "broker-b:0", "broker-b:1", "broker-a:3", "broker-b:3"};
      CHECK(QueueList(*run.publish_info()) == corrupted);

      // Both brokers restart at 3 s with the same route, so no poll sees a change and the
      // corrupted list survives the isolation (until 602006).
      run.RunUntil(605000);
      CHECK(QueueList(*run.publish_info()) == corrupted);
      CHECK(run.producer().fault_strategy().IsAvailable("broker-a"));
      CHECK(run.producer().fault_strategy().IsAvailable("broker-b"));

      // Eight sends on one thread visit each list element once: A five times (a3 twice), B three.
      run.RunUntil(615000);
      REQUIRE(run.messages().size() == 10);
      std::multiset<std::string> visited;
      for (size_t i = 2; i < 10; ++i) {
        const sim::MessageRecord& r = run.message(i);
        REQUIRE(r.attempts.size() == 1);
        CHECK(r.outcome == Outcome::kOk);
        visited.insert(r.attempts[0].broker + ":" + std::to_string(r.attempts[0].queue));
      }
      CHECK(visited == std::multiset<std::string>(corrupted.begin(), corrupted.end()));
      CHECK(visited.count("broker-a:3") == 2);

      // B is killed at 620 s: the poll at 630010 installs a fresh publish info, clean again.
      run.RunUntil(631000);
      CHECK(QueueList(*run.publish_info()) == kOnlyA);
    }
  }
}

// A publish info for [a0..a3 b0..b3] as the client builds it from a route.
std::shared_ptr<sim::TopicPublishInfo> TwoBrokerPublishInfo(const sim::Profile& p) {
  sim::TopicRouteData route;
  for (const char* b : {"broker-b", "broker-a"}) {  // the name server's order does not matter
    route.queue_datas.push_back(sim::QueueData{b, 4, 4, sim::kPermRead | sim::kPermWrite});
    route.broker_datas.push_back(
        sim::BrokerData{b, {{0, std::string(b) == "broker-a" ? kAddrA : kAddrB}}});
  }
  return sim::BuildTopicPublishInfo("TopicTest", route, 7, "test", p.thread_index_overflow);
}

TEST_CASE("§5.2 ThreadLocalIndex overflow near INT_MAX reverses the round robin (4.9.0, 4.9.3)",
          "[model]") {
  for (const char* name : {"4.9.0", "4.9.3"}) {
    SECTION(name) {
      auto tp = TwoBrokerPublishInfo(Profile(name));
      REQUIRE(QueueList(*tp) == kBothBrokers);
      core::SimThread t("app-1-sync-1");
      tp->send_which_queue().Set(t, INT_MAX - 2);
      VS picks;
      for (int i = 0; i < 8; ++i) {
        auto mq = tp->SelectOneMessageQueue(t);
        picks.push_back(mq->broker_name + ":" + std::to_string(mq->queue_id));
      }
      // INT_MAX-1 -> pos 6, INT_MAX -> 7, INT_MIN -> abs stays INT_MIN, % 8 = 0, then
      // |INT_MIN+1| = INT_MAX -> 7, 6, 5, ...: the walk turns round.
      CHECK(picks == VS{"broker-b:2", "broker-b:3", "broker-a:0", "broker-b:3", "broker-b:2",
                        "broker-b:1", "broker-b:0", "broker-a:3"});
      int32_t v = 0;
      REQUIRE(tp->send_which_queue().Peek(t, &v));
      CHECK(v == INT_MIN + 5);
    }
  }
}

TEST_CASE("§5.3 with the index reversed, a sync retry after A still takes the next B queue in "
          "the (reversed) walk",
          "[model]") {
  // TopicPublishInfo.selectOneMessageQueue(lastBrokerName) after the overflow: the probes walk
  // downwards, so after a0 (INT_MIN) the retry skips nothing and picks b3.
  auto tp = TwoBrokerPublishInfo(Profile("4.9.0"));
  core::SimThread t("app-1-sync-1");
  tp->send_which_queue().Set(t, INT_MAX);
  auto first = tp->SelectOneMessageQueue(t);
  CHECK(first->broker_name == "broker-a");
  CHECK(first->queue_id == 0);
  std::string last = "broker-a";
  auto retry = tp->SelectOneMessageQueue(t, &last);
  CHECK(retry->broker_name == "broker-b");
  CHECK(retry->queue_id == 3);
}

// Sync sends on a running producer whose caller thread's index is set just below INT_MAX (as a
// long-lived thread's index gets there): queue picks by list position (§5.1 order).
StagedRun OverflowRun(const char* profile, bool kill_a) {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), Workload(SendMode::kSync, 2000, 8)};
  if (kill_a) s.faults = {Fault(FaultAction::kKill, "broker-a", 500)};
  StagedRun run(s, Profile(profile));
  run.RunUntil(1500);
  REQUIRE(run.publish_info() != nullptr);
  REQUIRE(QueueList(*run.publish_info()) == kBothBrokers);
  run.publish_info()->send_which_queue().Set(core::SimThread(SyncThread(2)), INT_MAX - 2);
  run.RunUntil(5000);
  REQUIRE(run.messages().size() == 9);
  return run;
}

TEST_CASE("§5.2 §10.16 index overflow near INT_MAX on a running cluster: 4.9.0 and 4.9.3 walk the "
          "queue list backwards, so a retry after A lands on b3 instead of b0; 4.9.8 masks",
          "[model]") {
  for (const char* name : {"4.9.0", "4.9.3"}) {
    SECTION(std::string(name) + ", healthy brokers") {
      StagedRun run = OverflowRun(name, false);
      // INT_MAX-1 -> b2, INT_MAX -> b3, INT_MIN (abs stays negative, % 8 = 0) -> a0, then
      // |INT_MIN+k| = INT_MAX-k+1 counts down: b3, b2, b1, b0, a3.
      VS picks;
      for (size_t i = 1; i < 9; ++i) {
        const sim::MessageRecord& m = run.message(i);
        REQUIRE(m.attempts.size() == 1);
        CHECK(m.outcome == Outcome::kOk);
        picks.push_back(m.attempts[0].broker + ":" + std::to_string(m.attempts[0].queue));
      }
      CHECK(picks == VS{"broker-b:2", "broker-b:3", "broker-a:0", "broker-b:3", "broker-b:2",
                        "broker-b:1", "broker-b:0", "broker-a:3"});
    }
    SECTION(std::string(name) + ", broker A killed") {
      StagedRun run = OverflowRun(name, true);
      // The send that starts on a0 (INT_MIN) is refused; its retry probes downwards and takes b3
      // (§10.1 takes b0 on the forward walk). a3 later probes a2, a1, a0 and again ends on b3.
      CHECK(Brokers(run.message(3)) == VS{"broker-a", "broker-b"});
      CHECK(Queues(run.message(3)) == VI{0, 3});
      CHECK(Queues(run.message(4)) == VI{2});
      CHECK(Queues(run.message(5)) == VI{1});
      CHECK(Queues(run.message(6)) == VI{0});
      CHECK(Brokers(run.message(7)) == VS{"broker-a", "broker-b"});
      CHECK(Queues(run.message(7)) == VI{3, 3});
      CHECK(Queues(run.message(8)) == VI{2});
      for (size_t i = 1; i < 9; ++i) {
        CHECK(run.message(i).outcome == Outcome::kOk);
        CHECK(run.message(i).stored.size() == 1);
        CHECK(run.message(i).stored[0].broker == "broker-b");
      }
    }
  }
  SECTION("4.9.8, healthy brokers: masked, the walk goes on forwards") {
    StagedRun run = OverflowRun("4.9.8", false);
    VI queues;
    for (size_t i = 1; i < 9; ++i) queues.push_back(run.message(i).attempts[0].queue);
    // b2, b3, then 0x80000000 & 0x7FFFFFFF = 0 -> a0, a1, a2, a3, b0, b1.
    CHECK(Brokers(run.message(3)) == VS{"broker-a"});
    CHECK(queues == VI{2, 3, 0, 1, 2, 3, 0, 1});
  }
}

}  // namespace
}  // namespace rmqsim::testing
