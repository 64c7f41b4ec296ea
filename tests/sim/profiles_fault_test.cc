// §11 rows about queue selection and the fault-latency strategy, four profiles side by side
// (rocketmq-behaviour.md §5, §6, §10.12, §10.16).
#include <climits>
#include <set>

#include <catch2/catch.hpp>

#include "core/random.h"
#include "sim/fault_strategy.h"
#include "sim/name_server.h"
#include "sim/response_code.h"
#include "sim/route.h"
#include "tests/sim/profiles_fixture.h"

namespace rmqsim::testing {
namespace {

using sim::FaultAction;
using sim::Outcome;
using sim::SendMode;
using VS = std::vector<std::string>;
using VI = std::vector<int32_t>;

constexpr char kA[] = "broker-a";
constexpr char kB[] = "broker-b";

sim::Scenario FaultTolerant(sim::WorkloadSpec w) {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), w};
  SetConfig(s.producers[0], "send_latency_fault_enable", true);
  return s;
}

std::vector<std::string> SelectTexts(StagedRun& r, const std::string& msg) {
  std::vector<std::string> v;
  for (const core::Event& e : EventsOf(r.events(), "select_queue", "", msg)) v.push_back(e.text);
  return v;
}

TEST_CASE("§11 Latency tables / isolation duration: 4.9.x 30 s for a 600 ms answer and 600 s "
          "isolation; 5.3.3 2 s and 10 s",
          "[profiles]") {
  sim::Scenario s = FaultTolerant(Workload(SendMode::kSync, 2000, 1));
  s.faults = {SlowFault(kA, 1500, 600)};
  FourRuns runs(s, {SyncThread(2), 1}, 3000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const bool v5 = p == "5.3.3";
    const sim::MessageRecord& m = runs.msg(p, 1);
    CHECK(Brokers(m) == VS{kA});
    CHECK(m.outcome == Outcome::kOk);
    const sim::FaultItem* a = Item(runs[p], kA);
    REQUIRE(a != nullptr);
    CHECK(a->current_latency == 603);
    CHECK(a->start_timestamp == EndMs(m.attempts[0]) + (v5 ? 2000 : 30000));
    // Isolation, on a broker that has no item yet.
    CHECK(runs[p].producer().fault_strategy().UpdateFaultItem("broker-x", 1, true) ==
          (v5 ? 10000 : 600000));
    CHECK(Profile(p).latency_table == (v5 ? sim::LatencyTable::k5x : sim::LatencyTable::k49x));
  }
}

TEST_CASE("§11 Fault item update: 4.9.x overwrite (a fast success cancels an isolation), 5.3.3 "
          "extends only and overwrites the reachable flag",
          "[profiles]") {
  sim::Scenario s = FaultTolerant(Workload(SendMode::kSync, 2000, 1));
  FourRuns runs(s, {}, 3000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const bool v5 = p == "5.3.3";
    sim::MQFaultStrategy& fs = runs[p].producer().fault_strategy();
    fs.UpdateFaultItem(kA, 5, /*isolation=*/true, /*reachable=*/false);
    CHECK(!fs.IsAvailable(kA));
    CHECK(fs.IsReachable(kA) == !v5);  // 4.9.x has no reachable flag
    fs.UpdateFaultItem(kA, 5, /*isolation=*/false, /*reachable=*/true);
    CHECK(fs.IsAvailable(kA) == !v5);
    CHECK(fs.IsReachable(kA));
    CHECK(fs.Find(kA)->current_latency == 5);
  }
}

TEST_CASE("§11 notBestBroker path: 4.9.0/4.9.3 rewrite a shared MessageQueue (Q1), 4.9.8 returns "
          "a new one, 5.3.3 has no such path (filters, then round robin)",
          "[profiles]") {
  // Both brokers answer SYSTEM_ERROR: attempts 1 and 2 isolate them, attempt 3 finds none
  // available.
  sim::Scenario s = FaultTolerant(Workload(SendMode::kSync, 2000, 1));
  s.faults = {ErrorFault(kA, 1500, sim::code::kSystemError, "SYSTEM_ERROR"),
              ErrorFault(kB, 1500, sim::code::kSystemError, "SYSTEM_ERROR")};
  FourRuns runs(s, {SyncThread(2), 1}, 3000);
  const VS original = {"broker-a:0", "broker-a:1", "broker-a:2", "broker-a:3",
                       "broker-b:0", "broker-b:1", "broker-b:2", "broker-b:3"};
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    StagedRun& r = runs[p];
    const sim::MessageRecord& m = r.message(1);
    REQUIRE(m.attempts.size() == 3);
    VS texts = SelectTexts(r, m.id);
    REQUIRE(texts.size() == 3);
    const std::string& third = texts[2];
    if (p == "4.9.0" || p == "4.9.3") {
      CHECK(third.find("all brokers unavailable: notBestBroker") != std::string::npos);
      CHECK(third.find("rewrote a shared queue (Q1)") != std::string::npos);
    } else if (p == "4.9.8") {
      CHECK(third.find("all brokers unavailable: notBestBroker") != std::string::npos);
      CHECK(third.find("(Q1)") == std::string::npos);
      CHECK(QueueList(*r.publish_info()) == original);
    } else {
      CHECK(third.find("notBestBroker") == std::string::npos);
      CHECK(third.find("none available or reachable, not broker-b: round robin") !=
            std::string::npos);
      CHECK(QueueList(*r.publish_info()) == original);
    }
  }
}

TEST_CASE("§11 pickOneAtLeast: a full tie is broken by the shuffle in 4.9.0/4.9.3, by "
          "ConcurrentHashMap order in 4.9.8; 5.3.3 never calls it",
          "[profiles]") {
  sim::Scenario s = FaultTolerant(Workload(SendMode::kSync, 2000, 1));
  FourRuns runs(s, {}, 3000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    StagedRun& r = runs[p];
    sim::MQFaultStrategy& fs = r.producer().fault_strategy();
    std::set<std::string> picked;
    for (int i = 0; i < 40; ++i) {
      // The same latency at the same instant: equal currentLatency and startTimestamp.
      fs.UpdateFaultItem(kA, 7, true);
      fs.UpdateFaultItem(kB, 7, true);
      core::SimThread t("probe-" + std::to_string(i));
      sim::MQFaultStrategy::Selection sel = fs.SelectOneMessageQueue(*r.publish_info(), nullptr, t);
      picked.insert(sel.mq->broker_name);
      CHECK((sel.how().find("notBestBroker") != std::string::npos) == (p != "5.3.3"));
    }
    if (p == "4.9.0" || p == "4.9.3") {
      CHECK(picked.size() == 2);  // random tie-break
    } else if (p == "4.9.8") {
      CHECK(picked.size() == 1);  // map order: always the same item first
    }
    CHECK(Profile(p).pick_one_at_least_shuffles == (p == "4.9.0" || p == "4.9.3"));
  }
}

TEST_CASE("§11 getQueueIdByBroker write-perm filter: only 4.9.8 ignores a read-only QueueData; "
          "5.3.3 has no notBestBroker path that asks",
          "[profiles]") {
  sim::TopicRouteData route;
  route.queue_datas = {sim::QueueData{kA, 4, 4, sim::kPermRead | sim::kPermWrite},
                       sim::QueueData{kB, 4, 4, sim::kPermRead}};
  route.broker_datas = {sim::BrokerData{kA, {{0, kAddrA}}}, sim::BrokerData{kB, {{0, kAddrB}}}};
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const sim::Profile& prof = Profile(p);
    auto tp = sim::BuildTopicPublishInfo("TopicTest", route, 7, "t", prof.thread_index_overflow,
                                         prof.thread_index_start);
    CHECK(QueueList(*tp) == VS{"broker-a:0", "broker-a:1", "broker-a:2", "broker-a:3"});
    CHECK(tp->GetQueueIdByBroker(kA, prof.queue_id_by_broker_requires_write_perm) == 4);
    const int32_t expect_b = p == "4.9.8" ? -1 : 4;
    if (p != "5.3.3") {
      CHECK(tp->GetQueueIdByBroker(kB, prof.queue_id_by_broker_requires_write_perm) == expect_b);
    } else {
      CHECK(prof.fault_selection == sim::FaultSelection::kFilters);
    }
  }
}

// TopicTest becomes read-only for broker-b in the name server's route (QueueData perm R, what
// `mqadmin wipeWritePerm`, `updateTopic -p 4` or a read-only brokerPermission lead to; the scenario
// format cannot say it, so the test registers it at the name server itself) between broker-b's
// own registrations at 10 s and 40 s: the 30 s route poll gives [a0..a3] with B's QueueData still
// in the route. A message at 2 s has left B a fast fault item; a slow answer from A at 31 s makes
// A unavailable (4.9.x 30 s, 5.3.3 2 s), so the send at 32 s finds no available queue in the list.
TEST_CASE("§11 getQueueIdByBroker write-perm filter, on a running cluster: with B read-only for "
          "the topic, 4.9.0/4.9.3 still send to B through notBestBroker, 4.9.8 removes B's item "
          "and sends to A, 5.3.3 never asks",
          "[profiles]") {
  sim::Scenario s = FaultTolerant(Workload(SendMode::kSync, 2000, 1));
  s.producers[0].send.push_back(Workload(SendMode::kSync, 31000, 2, /*per_second=*/1));
  sim::FaultSpec slow = SlowFault(kA, 30500, 600);
  slow.for_duration = Ms(1200);  // A answers the 31 s send after 600 ms, the 32 s one at once
  s.faults = {slow};
  const VS only_a = {"broker-a:0", "broker-a:1", "broker-a:2", "broker-a:3"};
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    StagedRun r(s, Profile(p));
    r.RunUntil(1500);
    r.PinIndex(SyncThread(2), 5);  // the 2 s message goes to b1
    r.RunUntil(15000);
    sim::NameServer* ns = r.world().FindNameServer("ns-1");
    REQUIRE(ns != nullptr);
    ns->RegisterBroker(kB, kAddrB, {{"TopicTest", 4, sim::kPermRead}});
    r.RunUntil(30500);
    auto tp = r.publish_info();
    REQUIRE(tp != nullptr);
    // §5.1 in every release: the read-only QueueData gives no queues, but stays in the route.
    REQUIRE(QueueList(*tp) == only_a);
    bool b_read_only = false;
    for (const sim::QueueData& qd : tp->topic_route_data.queue_datas) {
      if (qd.broker_name == kB) b_read_only = qd.perm == sim::kPermRead;
    }
    REQUIRE(b_read_only);
    tp->send_which_queue().Set(core::SimThread(SyncThread(3)), 400);  // next pick: a1
    r.RunUntil(31900);
    CHECK(StoredOn(r.message(1)) == VS{"broker-b:1"});
    const sim::MessageRecord& slow_a = r.message(2);
    CHECK(StoredOn(slow_a) == VS{"broker-a:1"});
    CHECK(EndMs(slow_a.attempts[0]) - MsOf(slow_a.attempts[0].start) >= 600);
    CHECK_FALSE(r.producer().fault_strategy().IsAvailable(kA));
    CHECK(r.producer().fault_strategy().IsAvailable(kB));
    r.RunUntil(33000);

    const sim::MessageRecord& m = r.message(3);
    REQUIRE(m.attempts.size() == 1);
    CHECK(MsOf(m.attempts[0].start) == 32000);
    CHECK(m.outcome == Outcome::kOk);
    VS texts = SelectTexts(r, m.id);
    REQUIRE(texts.size() == 1);
    if (p == "4.9.0" || p == "4.9.3") {
      // getQueueIdByBroker(B) = 4 (writeQueueNums, perm not asked): a shared element becomes
      // broker-b:(index % 4) (Q1), and B stores the message (the broker's own TopicTest config is
      // still writable, and its send path checks no topic permission anyway).
      CHECK(texts[0].find("all brokers unavailable: notBestBroker broker-b rewrote a shared queue "
                          "(Q1)") != std::string::npos);
      CHECK(StoredOn(m) == VS{"broker-b:0"});
      CHECK(QueueList(*r.publish_info()) ==
            VS{"broker-a:0", "broker-a:1", "broker-a:2", "broker-b:0"});
      CHECK(Item(r, kB) != nullptr);
    } else if (p == "4.9.8") {
      // getQueueIdByBroker(B) = -1 (not writable): remove(B), then plain round robin on A.
      CHECK(texts[0].find("all brokers unavailable: round robin") != std::string::npos);
      CHECK(StoredOn(m) == VS{"broker-a:3"});
      CHECK(QueueList(*r.publish_info()) == only_a);
      CHECK(Item(r, kB) == nullptr);
    } else {
      // Filters over [a0..a3]: none available, A reachable (its slow answer was a success).
      CHECK(texts[0].find("notBestBroker") == std::string::npos);
      CHECK(texts[0].find("none available: reachable") != std::string::npos);
      CHECK(StoredOn(m) == VS{"broker-a:2"});  // the fifth probe of the filters (index 406)
      CHECK(QueueList(*r.publish_info()) == only_a);
      CHECK(Item(r, kB) != nullptr);
    }
    CHECK(Profile(p).queue_id_by_broker_requires_write_perm == (p == "4.9.8"));
  }
}

TEST_CASE("§11 lastBrokerName honoured with fault tolerance on: only 5.3.3 moves off A after a "
          "non-OK store status",
          "[profiles]") {
  sim::Scenario s = FaultTolerant(Workload(SendMode::kSync, 2000, 1));
  SetConfig(s.producers[0], "retry_another_broker_when_not_store_ok", true);
  s.faults = {ErrorFault(kA, 1500, sim::code::kFlushSlaveTimeout, "FLUSH_SLAVE_TIMEOUT")};
  FourRuns runs(s, {SyncThread(2), 1}, 3000);
  for (const char* p : {"4.9.0", "4.9.3", "4.9.8"}) {
    INFO(p);
    const sim::MessageRecord& m = runs.msg(p, 1);
    // The success-style update leaves A available and the first-available walk ignores last.
    CHECK(Brokers(m) == VS{kA, kA, kA});
    CHECK(Queues(m) == VI{1, 2, 3});
    CHECK(m.send_status == "FLUSH_SLAVE_TIMEOUT");
    CHECK(m.stored.size() == 3);
  }
  const sim::MessageRecord& m5 = runs.msg("5.3.3", 1);
  CHECK(Brokers(m5) == VS{kA, kB});
  CHECK(m5.send_status == "SEND_OK");
  CHECK(m5.stored.size() == 2);
}

TEST_CASE("§11 Retry index reset (fault tolerance on, sync): 5.3.3 restarts the round robin at a "
          "random position on every retry",
          "[profiles]") {
  sim::Scenario s = FaultTolerant(Workload(SendMode::kSync, 2000, 1));
  s.faults = {Fault(FaultAction::kKill, kA, 500)};
  FourRuns runs(s, {SyncThread(2), 1}, 3000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    StagedRun& r = runs[p];
    const sim::MessageRecord& m = r.message(1);
    CHECK(Brokers(m) == VS{kA, kB});
    VS texts = SelectTexts(r, m.id);
    REQUIRE(texts.size() == 2);
    int32_t v = 0;
    REQUIRE(r.publish_info()->send_which_queue().Peek(core::SimThread(SyncThread(2)), &v));
    const bool v5 = p == "5.3.3";
    CHECK((texts[1].find("index reset") != std::string::npos) == v5);
    CHECK(texts[0].find("index reset") == std::string::npos);
    if (v5) {
      CHECK((v < 790 || v > 820));  // reset to abs(nextInt(MAX_VALUE)), then probed on
    } else {
      CHECK(v == 802);  // one increment per selection (the probes use a local copy)
    }
  }
}

TEST_CASE("§11 ThreadLocalIndex overflow: 4.9.0/4.9.3 reverse after INT_MAX (abs), 4.9.8/5.3.3 "
          "mask; 5.3.3 starts from nextInt() as drawn",
          "[profiles]") {
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const sim::Profile& prof = Profile(p);
    sim::ThreadLocalIndex idx(7, "tli", prof.thread_index_overflow, prof.thread_index_start);
    core::SimThread t("app-1-sync-1");
    idx.Set(t, INT_MAX - 2);
    VI seq;
    for (int i = 0; i < 4; ++i) seq.push_back(idx.IncrementAndGet(t));
    const bool masked = p == "4.9.8" || p == "5.3.3";
    if (masked) {
      CHECK(seq == VI{INT_MAX - 1, INT_MAX, 0, 1});
    } else {
      CHECK(seq == VI{INT_MAX - 1, INT_MAX, INT_MIN, INT_MAX});
    }
    // First use on a thread: 4.9.x abs(nextInt()) + 1, 5.3.3 nextInt() + 1 (then masked).
    for (const char* name : {"t1", "t2", "t3", "t4", "t5", "t6"}) {
      sim::ThreadLocalIndex fresh(7, "tli", prof.thread_index_overflow, prof.thread_index_start);
      int32_t r = core::Rng::ForStream(7, std::string("tli/thread:") + name).NextJavaInt();
      int32_t start = p == "5.3.3" ? r : (r == INT_MIN ? r : (r < 0 ? -r : r));
      int32_t next = static_cast<int32_t>(static_cast<uint32_t>(start) + 1u);
      int32_t expect = masked ? (next & 0x7FFFFFFF) : (next == INT_MIN ? INT_MIN : (next < 0 ? -next : next));
      CHECK(fresh.IncrementAndGet(core::SimThread(name)) == expect);
    }
  }
}

// Eight sync sends from a caller thread whose index is just below INT_MAX (as a long-lived
// thread's gets there); A is killed before them, so the sends that land on A retry on B. Fault
// tolerance off: the retry walks the list from where the index is, skipping A (§5.3).
TEST_CASE("§11 ThreadLocalIndex overflow, on a running cluster: 4.9.0/4.9.3 walk the list "
          "backwards after INT_MAX and retry on b3; 4.9.8/5.3.3 mask, walk on forwards and retry "
          "on b0",
          "[profiles]") {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), Workload(SendMode::kSync, 2000, 8)};
  s.faults = {Fault(FaultAction::kKill, kA, 500)};
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    StagedRun r(s, Profile(p));
    r.RunUntil(1500);
    REQUIRE(r.publish_info() != nullptr);
    REQUIRE(QueueList(*r.publish_info()).size() == 8);
    const core::SimThread caller(SyncThread(2));
    r.publish_info()->send_which_queue().Set(caller, INT_MAX - 2);
    r.RunUntil(5000);
    REQUIRE(r.messages().size() == 9);
    VS attempts;  // "a0 b3" per message: broker letter and queue of each attempt
    for (size_t i = 1; i < 9; ++i) {
      const sim::MessageRecord& m = r.message(i);
      CHECK(m.outcome == Outcome::kOk);
      REQUIRE(m.stored.size() == 1);
      CHECK(m.stored[0].broker == kB);
      std::string a;
      for (const auto& at : m.attempts) {
        if (!a.empty()) a += " ";
        a += at.broker.substr(7) + std::to_string(at.queue);
      }
      attempts.push_back(a);
    }
    int32_t v = 0;
    REQUIRE(r.publish_info()->send_which_queue().Peek(caller, &v));
    if (p == "4.9.0" || p == "4.9.3") {
      // INT_MAX-1 -> b2, INT_MAX -> b3, INT_MIN (abs stays negative, % 8 = 0) -> a0, then
      // |INT_MIN+k| counts down: the retry after a0 takes b3, and a3's retry probes a2, a1, a0.
      CHECK(attempts == VS{"b2", "b3", "a0 b3", "b2", "b1", "b0", "a3 b3", "b2"});
      CHECK(v == INT_MIN + 10);
    } else {
      // 0x80000000 & 0x7FFFFFFF = 0 -> a0; the retry probes a1, a2, a3 and takes b0.
      CHECK(attempts == VS{"b2", "b3", "a0 b0", "b1", "b2", "b3", "a0 b0", "b1"});
      CHECK(v == INT_MIN + 13);
    }
    CHECK((Profile(p).thread_index_overflow == sim::ThreadIndexOverflow::kAbsReverses) ==
          (p == "4.9.0" || p == "4.9.3"));
  }
}

}  // namespace
}  // namespace rmqsim::testing
