// Model acceptance tests: asynchronous sends (rocketmq-behaviour.md §10.2, §10.3, §10.7, §10.9,
// §10.11).
//
// Same cluster as model_sync_test.cc. An async send's first attempt runs on the async sender
// executor's first thread, whose index the tests pin; retries after a synchronous invokeAsync
// failure run on that thread too (4.9.3 catch-all), retries after a callback on a callback thread.
#include <catch2/catch.hpp>

#include "sim/fault_strategy.h"
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

// Warm-up at 100 ms, one async send at 2000 ms whose first attempt picks a1.
StagedRun AsyncRun(const sim::Scenario& s, const char* profile, int64_t until_ms = 10000) {
  StagedRun run(s, Profile(profile));
  run.RunUntil(1500);
  run.PinIndex(kAsyncThread1, 1);
  run.RunUntil(until_ms);
  return run;
}

sim::Scenario OneAsyncSend() {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), Workload(SendMode::kAsync, 2000, 1)};
  return s;
}

TEST_CASE("§10.2 async send to a killed broker: 4.9.0 gives up after one attempt (#3556)",
          "[model]") {
  sim::Scenario s = OneAsyncSend();
  s.faults = {Fault(FaultAction::kKill, "broker-a", 500)};
  StagedRun run = AsyncRun(s, "4.9.0");
  REQUIRE(run.messages().size() == 2);
  const sim::MessageRecord& m = run.message(1);
  CHECK(m.mode == SendMode::kAsync);
  CHECK(Brokers(m) == VS{"broker-a"});
  CHECK(Queues(m) == VI{1});
  CHECK(Results(m) == VS{"RemotingConnectException"});
  CHECK(m.attempts[0].thread == kAsyncThread1);
  CHECK(MsOf(m.attempts[0].start) == 2000);
  CHECK(EndMs(m.attempts[0]) == 2002);
  CHECK(m.attempts[0].decision ==
        "connect exception escaped to sendDefaultImpl, 1 attempt allowed");
  CHECK(m.outcome == Outcome::kFailed);
  REQUIRE(m.error.has_value());
  CHECK(m.error->type == "MQClientException");
  CHECK(m.error->message ==
        "Send [1] times, still failed, cost [2]ms, Topic: TopicTest, BrokersSent: [broker-a]");
  CHECK(m.error->response_code == 10001);
  CHECK(m.error->cause == std::string("RemotingConnectException: connect to ") + kAddrA + " failed");
  CHECK(ResolvedMs(m) == 2002);
  CHECK(m.callbacks == 1);
  CHECK(m.stored.empty());
}

TEST_CASE("§10.2 async send to a killed broker: 4.9.3 retries on B from the catch-all and "
          "succeeds",
          "[model]") {
  sim::Scenario s = OneAsyncSend();
  s.faults = {Fault(FaultAction::kKill, "broker-a", 500)};
  StagedRun run = AsyncRun(s, "4.9.3");
  const sim::MessageRecord& m = run.message(1);
  CHECK(Brokers(m) == VS{"broker-a", "broker-b"});
  CHECK(Paths(m) == VS{"sendDefaultImpl", "onExceptionImpl"});
  CHECK(Results(m) == VS{"RemotingConnectException", "SEND_OK"});
  // The retry runs synchronously on the async sender thread, inside sendMessageAsync's catch.
  CHECK(m.attempts[1].thread == kAsyncThread1);
  CHECK(m.attempts[0].decision ==
        "caught in sendMessageAsync, retried on broker-b (async retry 1 of 2)");
  CHECK(EndMs(m.attempts[0]) == 2002);
  CHECK(MsOf(m.attempts[1].start) == 2002);
  CHECK(EndMs(m.attempts[1]) == 2005);
  CHECK(m.outcome == Outcome::kOk);
  CHECK(m.send_status == "SEND_OK");
  CHECK(ResolvedMs(m) == 2005);
  CHECK(m.callbacks == 1);
  REQUIRE(m.stored.size() == 1);
  CHECK(m.stored[0].broker == "broker-b");
}

TEST_CASE("§10.2 async send with both brokers killed: 4.9.3 tries A, B, A and reports the raw "
          "RemotingConnectException; 4.9.0 still one attempt",
          "[model]") {
  sim::Scenario s = OneAsyncSend();
  s.faults = {Fault(FaultAction::kKill, "broker-a", 500), Fault(FaultAction::kKill, "broker-b", 500)};
  SECTION("4.9.3") {
    StagedRun run = AsyncRun(s, "4.9.3");
    const sim::MessageRecord& m = run.message(1);
    CHECK(Brokers(m) == VS{"broker-a", "broker-b", "broker-a"});
    CHECK(Queues(m) == VI{1, 1, 1});  // §10.11: the first attempt's queueId on every retry
    CHECK(Paths(m) == VS{"sendDefaultImpl", "onExceptionImpl", "onExceptionImpl"});
    CHECK(Results(m) ==
          VS{"RemotingConnectException", "RemotingConnectException", "RemotingConnectException"});
    CHECK(EndMs(m.attempts[0]) == 2002);
    CHECK(EndMs(m.attempts[1]) == 2004);
    CHECK(EndMs(m.attempts[2]) == 2006);
    CHECK(m.attempts[2].decision ==
          "no retry: async retries used up (times=3 > retryTimesWhenSendAsyncFailed=2): "
          "onException");
    CHECK(m.outcome == Outcome::kFailed);
    REQUIRE(m.error.has_value());
    CHECK(m.error->type == "RemotingConnectException");
    CHECK(m.error->message == std::string("connect to ") + kAddrA + " failed");
    CHECK(m.error->response_code == -1);
    CHECK(m.error->cause.empty());
    CHECK(ResolvedMs(m) == 2006);
    CHECK(m.callbacks == 1);
  }
  SECTION("4.9.0") {
    StagedRun run = AsyncRun(s, "4.9.0");
    const sim::MessageRecord& m = run.message(1);
    CHECK(Brokers(m) == VS{"broker-a"});
    REQUIRE(m.error.has_value());
    CHECK(m.error->type == "MQClientException");
    CHECK(m.error->response_code == 10001);
    CHECK(ResolvedMs(m) == 2002);
  }
}

TEST_CASE("§10.3 quirk Q3, send_latency_fault_enable: 4.9.0 keeps A isolated 600 s after the "
          "async failure, 4.9.3's success-style update cancels the isolation",
          "[model]") {
  sim::Scenario s = OneAsyncSend();
  SetConfig(s.producers[0], "send_latency_fault_enable", true);
  s.faults = {Fault(FaultAction::kKill, "broker-a", 500)};
  SECTION("4.9.0") {
    StagedRun run = AsyncRun(s, "4.9.0", 3000);
    const sim::MessageRecord& m = run.message(1);
    CHECK(Brokers(m) == VS{"broker-a"});
    CHECK(m.outcome == Outcome::kFailed);
    // sendDefaultImpl's RemotingException handler: updateFaultItem(A, 2, isolation=true) at 2002.
    const sim::FaultItem* a = run.producer().fault_strategy().Find("broker-a");
    REQUIRE(a != nullptr);
    CHECK(a->current_latency == 2);
    CHECK(a->start_timestamp == 2002 + 600000);
    CHECK_FALSE(run.producer().fault_strategy().IsAvailable("broker-a"));
  }
  SECTION("4.9.3") {
    StagedRun run = AsyncRun(s, "4.9.3", 3000);
    const sim::MessageRecord& m = run.message(1);
    CHECK(Brokers(m) == VS{"broker-a", "broker-b"});
    CHECK(m.outcome == Outcome::kOk);
    // The catch-all isolated A for 600 s at 2002, then sendDefaultImpl recorded (A, 2 ms,
    // isolation=false), which overwrote it: table(2 ms) = 0, so A is available again at once.
    auto updates = EventsOf(run.events(), "fault_item_update", "producer:pg#0", m.id);
    REQUIRE(updates.size() == 3);
    CHECK(updates[0].text ==
          "broker-a latency 2 ms isolation=true -> not available for 600000 ms (until 602002)");
    CHECK(updates[1].text ==
          "broker-a latency 2 ms isolation=false -> not available for 0 ms (until 2002)");
    CHECK(updates[2].text ==
          "broker-b latency 3 ms isolation=false -> not available for 0 ms (until 2005)");
    const sim::FaultItem* a = run.producer().fault_strategy().Find("broker-a");
    REQUIRE(a != nullptr);
    CHECK(a->current_latency == 2);
    CHECK(a->start_timestamp == 2002);
    CHECK(run.producer().fault_strategy().IsAvailable("broker-a"));
  }
}

TEST_CASE("§10.7 async send to a hung broker: callback at the first scan tick >= begin + T + "
          "1000, retries fail in the client on the spent budget, nothing re-sent",
          "[model]") {
  sim::Scenario s = OneAsyncSend();
  // A's connection is open (warm-up, heartbeat at 1000 ms); from 1500 ms it answers after 100 s.
  s.faults = {SlowFault("broker-a", 1500, 100000)};
  SECTION("4.9.0: B, then onException(RemotingTooMuchRequestException \"invokeAsync call "
          "timeout\")") {
    StagedRun run = AsyncRun(s, "4.9.0");
    const sim::MessageRecord& m = run.message(1);
    // begin 2000 + 3000 + 1000 = 6000: the scanner (3000, 4000, ...) removes it at 6000.
    CHECK(Brokers(m) == VS{"broker-a", "broker-b"});
    CHECK(Queues(m) == VI{1, 1});
    CHECK(Results(m) == VS{"MQClientException", "RemotingTooMuchRequestException"});
    CHECK(m.attempts[0].detail == "wait response timeout 3000ms");
    CHECK(EndMs(m.attempts[0]) == 6000);
    CHECK(m.attempts[1].thread == kCallbackThread1);
    CHECK(MsOf(m.attempts[1].start) == 6000);
    CHECK(EndMs(m.attempts[1]) == 6000);
    CHECK(m.attempts[1].detail == "invokeAsync call timeout");
    CHECK(m.attempts[1].decision ==
          "no retry: needRetry=false (RemotingTooMuchRequestException): onException");
    CHECK(m.outcome == Outcome::kFailed);
    REQUIRE(m.error.has_value());
    CHECK(m.error->type == "RemotingTooMuchRequestException");
    CHECK(m.error->message == "invokeAsync call timeout");
    CHECK(ResolvedMs(m) == 6000);
    CHECK(EventsOf(run.events(), "request_arrived", "broker:broker-a", m.id).size() == 1);
    CHECK(EventsOf(run.events(), "request_arrived", "broker:broker-b", m.id).empty());
    CHECK(m.stored.empty());
  }
  SECTION("4.9.3: B, then A, each TooMuchRequest, onException(RemotingTooMuchRequestException)") {
    StagedRun run = AsyncRun(s, "4.9.3");
    const sim::MessageRecord& m = run.message(1);
    CHECK(Brokers(m) == VS{"broker-a", "broker-b", "broker-a"});
    CHECK(Queues(m) == VI{1, 1, 1});
    CHECK(Results(m) == VS{"MQClientException", "RemotingTooMuchRequestException",
                           "RemotingTooMuchRequestException"});
    CHECK(EndMs(m.attempts[0]) == 6000);
    CHECK(m.attempts[1].detail == std::string("invokeAsync call the addr[") + kAddrB + "] timeout");
    CHECK(m.attempts[2].detail == std::string("invokeAsync call the addr[") + kAddrA + "] timeout");
    CHECK(EndMs(m.attempts[2]) == 6000);
    CHECK(m.outcome == Outcome::kFailed);
    REQUIRE(m.error.has_value());
    CHECK(m.error->type == "RemotingTooMuchRequestException");
    CHECK(m.error->message == std::string("invokeAsync call the addr[") + kAddrA + "] timeout");
    CHECK(ResolvedMs(m) == 6000);
    CHECK(EventsOf(run.events(), "request_arrived", "broker:broker-a", m.id).size() == 1);
    CHECK(EventsOf(run.events(), "request_arrived", "broker:broker-b", m.id).empty());
  }
}

TEST_CASE("§10.7 async send to a hung broker with send_latency_fault_enable, 4.9.3: A, B, B and "
          "both brokers isolated 600 s",
          "[model]") {
  sim::Scenario s = OneAsyncSend();
  SetConfig(s.producers[0], "send_latency_fault_enable", true);
  s.faults = {SlowFault("broker-a", 1500, 100000)};
  StagedRun run = AsyncRun(s, "4.9.3");
  const sim::MessageRecord& m = run.message(1);
  // The callback isolates A (latency 4000); the retry skips the unavailable A and fails on B,
  // which the catch-all isolates (latency 0); with both unavailable pickOneAtLeast returns the
  // lower latency, B, again.
  CHECK(Brokers(m) == VS{"broker-a", "broker-b", "broker-b"});
  CHECK(ResolvedMs(m) == 6000);
  REQUIRE(m.error.has_value());
  CHECK(m.error->type == "RemotingTooMuchRequestException");
  CHECK(m.error->message == std::string("invokeAsync call the addr[") + kAddrB + "] timeout");
  const auto& fs = run.producer().fault_strategy();
  REQUIRE(fs.Find("broker-a") != nullptr);
  REQUIRE(fs.Find("broker-b") != nullptr);
  CHECK(fs.Find("broker-a")->start_timestamp == 6000 + 600000);
  CHECK(fs.Find("broker-a")->current_latency == 4000);
  CHECK(fs.Find("broker-b")->start_timestamp == 6000 + 600000);
  CHECK(fs.Find("broker-b")->current_latency == 0);
  CHECK(EventsOf(run.events(), "request_arrived", "broker:broker-b", m.id).empty());
}

TEST_CASE("§10.13 quirk Q2, 4.9.0 async retry connect failure: the 600 s isolation lands on the "
          "previous broker, so the dead retry broker is picked again",
          "[model]") {
  sim::Scenario s = OneAsyncSend();
  SetConfig(s.producers[0], "send_latency_fault_enable", true);
  // A hangs (its connection stays open); B's process is dead, so a connect to it is refused.
  s.faults = {SlowFault("broker-a", 1500, 100000), Fault(FaultAction::kKill, "broker-b", 1500)};
  SECTION("4.9.0") {
    StagedRun run = AsyncRun(s, "4.9.0");
    const sim::MessageRecord& m = run.message(1);
    // 6000: the scan fails A's attempt and the callback isolates A (latency 4000). The retry goes
    // to B, whose connect is refused (6002); onExceptionImpl's RemotingConnectException block
    // then runs updateFaultItem(A, 3000, true) [API@4.9.0] and leaves B available, so the next
    // pick is B again, refused at 6004. That failure isolates the previous broker of *that* call,
    // which is B itself (the recursion passes retryBrokerName as brokerName).
    CHECK(Brokers(m) == VS{"broker-a", "broker-b", "broker-b"});
    CHECK(Results(m) ==
          VS{"MQClientException", "RemotingConnectException", "RemotingConnectException"});
    CHECK(EndMs(m.attempts[1]) == 6002);
    CHECK(EndMs(m.attempts[2]) == 6004);
    REQUIRE(m.error.has_value());
    CHECK(m.error->type == "RemotingConnectException");
    CHECK(m.error->message == std::string("connect to ") + kAddrB + " failed");
    CHECK(ResolvedMs(m) == 6004);
    const auto& fs = run.producer().fault_strategy();
    REQUIRE(fs.Find("broker-a") != nullptr);
    CHECK(fs.Find("broker-a")->current_latency == 3000);
    CHECK(fs.Find("broker-a")->start_timestamp == 6002 + 600000);
    REQUIRE(fs.Find("broker-b") != nullptr);
    CHECK(fs.Find("broker-b")->current_latency == 3000);
    CHECK(fs.Find("broker-b")->start_timestamp == 6004 + 600000);
    // Updates in order: A by the callback, then A and B by the Q2 block, never B's own 2 ms.
    auto updates = EventsOf(run.events(), "fault_item_update", "producer:pg#0", m.id);
    REQUIRE(updates.size() == 4);
    CHECK(updates[1].text.rfind("broker-a latency 4000 ms isolation=true", 0) == 0);
    CHECK(updates[2].text.rfind("broker-a latency 3000 ms isolation=true", 0) == 0);
    CHECK(updates[3].text.rfind("broker-b latency 3000 ms isolation=true", 0) == 0);
  }
  SECTION("4.9.3") {
    StagedRun run = AsyncRun(s, "4.9.3");
    const sim::MessageRecord& m = run.message(1);
    // The catch-all isolates the broker that failed (B, latency 2); with both unavailable the
    // notBestBroker path picks the lower latency, B, once more.
    CHECK(Brokers(m) == VS{"broker-a", "broker-b", "broker-b"});
    CHECK(ResolvedMs(m) == 6004);
    const auto& fs = run.producer().fault_strategy();
    REQUIRE(fs.Find("broker-a") != nullptr);
    CHECK(fs.Find("broker-a")->current_latency == 4000);
    CHECK(fs.Find("broker-a")->start_timestamp == 6000 + 600000);
    REQUIRE(fs.Find("broker-b") != nullptr);
    CHECK(fs.Find("broker-b")->current_latency == 2);
    CHECK(fs.Find("broker-b")->start_timestamp == 6004 + 600000);
  }
}

TEST_CASE("§10.9 broker errors in async mode are never retried (both profiles)", "[model]") {
  for (const char* name : {"4.9.0", "4.9.3"}) {
    for (int code : {1, 2}) {
      DYNAMIC_SECTION(name << " code " << code) {
        sim::Scenario s = OneAsyncSend();
        s.faults = {ErrorFault("broker-a", 1500, code, code == 1 ? "SYSTEM_ERROR" : "SYSTEM_BUSY")};
        StagedRun run = AsyncRun(s, name);
        const sim::MessageRecord& m = run.message(1);
        CHECK(Brokers(m) == VS{"broker-a"});
        CHECK(Results(m) == VS{code == 1 ? "SYSTEM_ERROR" : "SYSTEM_BUSY"});
        CHECK(m.attempts[0].decision ==
              "no retry: needRetry=false (MQBrokerException): onException");
        CHECK(m.outcome == Outcome::kFailed);
        REQUIRE(m.error.has_value());
        CHECK(m.error->type == "MQBrokerException");
        CHECK(m.error->response_code == code);
        CHECK(ResolvedMs(m) == 2003);
        CHECK(m.stored.empty());
      }
    }
  }
}

TEST_CASE("§10.11 async retry keeps the first attempt's queueId on the new broker", "[model]") {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), Workload(SendMode::kAsync, 2000, 1)};
  s.faults = {Fault(FaultAction::kKill, "broker-a", 500)};
  StagedRun run(s, Profile("4.9.3"));
  run.RunUntil(1500);
  run.PinIndex(kAsyncThread1, 3);  // a3
  run.RunUntil(5000);
  const sim::MessageRecord& m = run.message(1);
  // The retry's selection lands on b0, but only its broker is used: the same header (queueId 3)
  // goes to B, which stores the message in its queue 3.
  CHECK(Brokers(m) == VS{"broker-a", "broker-b"});
  CHECK(Queues(m) == VI{3, 3});
  auto picks = EventsOf(run.events(), "select_queue", "producer:pg#0", m.id);
  REQUIRE(picks.size() == 2);
  CHECK(picks[1].text.rfind("broker-b queue 0 ", 0) == 0);
  CHECK(StoredOn(m) == VS{"broker-b:3"});
  CHECK(m.outcome == Outcome::kOk);
}

TEST_CASE("§10.11 async retry to a broker with fewer queues: the kept queueId is illegal there, "
          "SYSTEM_ERROR, not retried",
          "[model]") {
  sim::Scenario s = TwoBrokerScenario();
  s.cluster.topics[0].brokers[1].queues = 2;  // TopicTest: a0..a3, b0, b1
  s.producers[0].send = {WarmUp(), Workload(SendMode::kAsync, 2000, 1)};
  s.faults = {Fault(FaultAction::kKill, "broker-a", 500)};
  StagedRun run(s, Profile("4.9.3"));
  run.RunUntil(1500);
  REQUIRE(run.publish_info() != nullptr);
  REQUIRE(QueueList(*run.publish_info()) ==
          VS{"broker-a:0", "broker-a:1", "broker-a:2", "broker-a:3", "broker-b:0", "broker-b:1"});
  run.publish_info()->send_which_queue().Set(core::SimThread(kAsyncThread1), 6 * 100 + 2);  // a3
  run.RunUntil(5000);
  const sim::MessageRecord& m = run.message(1);
  CHECK(Brokers(m) == VS{"broker-a", "broker-b"});
  CHECK(Queues(m) == VI{3, 3});
  CHECK(Results(m) == VS{"RemotingConnectException", "SYSTEM_ERROR"});
  CHECK(m.outcome == Outcome::kFailed);
  REQUIRE(m.error.has_value());
  CHECK(m.error->type == "MQBrokerException");
  CHECK(m.error->response_code == 1);
  CHECK(m.error->message.find("request queueId[3] is illegal") != std::string::npos);
  CHECK(m.stored.empty());
}

}  // namespace
}  // namespace rmqsim::testing
