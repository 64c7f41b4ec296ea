// §11 rows about retries and the fault updates around them, four profiles side by side
// (rocketmq-behaviour.md §2.2, §3.2, §3.3, §10.2, §10.3, §10.7, §10.13, §10.14).
//
// Cluster of model_sync_test.cc: brokers a and b with 4 queues, list [a0..a3 b0..b3], 1 ms
// network delay each way, 1 ms service time, client steps of 0 ms unless a test says so.
#include <catch2/catch.hpp>

#include "sim/response_code.h"
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
constexpr char kEventLoop[] = "NettyClientSelector_1";

sim::Scenario WarmUpThen(sim::WorkloadSpec w) {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), w};
  return s;
}

TEST_CASE("§11 Sync retry codes: 4.9.x do not retry SYSTEM_BUSY, 5.3.3's set adds SYSTEM_BUSY and "
          "GO_AWAY",
          "[profiles]") {
  sim::Scenario s = WarmUpThen(Workload(SendMode::kSync, 2000, 1));
  s.faults = {ErrorFault(kA, 1500, sim::code::kSystemBusy, "SYSTEM_BUSY")};
  FourRuns runs(s, {SyncThread(2), 1}, 10000);
  for (const char* p : {"4.9.0", "4.9.3", "4.9.8"}) {
    INFO(p);
    const sim::MessageRecord& m = runs.msg(p, 1);
    CHECK(Brokers(m) == VS{kA});
    CHECK(Results(m) == VS{"SYSTEM_BUSY"});
    CHECK(m.attempts[0].decision == "broker code SYSTEM_BUSY is not retryable: MQBrokerException thrown");
    CHECK(m.outcome == Outcome::kFailed);
    CHECK(ErrorType(m) == "MQBrokerException");
    CHECK(ErrorCode(m) == 2);
  }
  const sim::MessageRecord& m = runs.msg("5.3.3", 1);
  CHECK(Brokers(m) == VS{kA, kB});
  CHECK(Results(m) == VS{"SYSTEM_BUSY", "SEND_OK"});
  CHECK(m.attempts[0].decision == "broker code SYSTEM_BUSY is retryable: retry (attempt 2 of 3)");
  CHECK(m.outcome == Outcome::kOk);
  // The sets themselves: 4.9.0's switch, 4.9.3/4.9.8's default set, 5.3.3's set with 2 and 1500.
  for (const std::string& p : FourProfiles()) {
    const sim::Profile& prof = Profile(p);
    INFO(p);
    const bool v5 = p == "5.3.3";
    CHECK(sim::IsRetryableResponseCode(prof, prof.defaults, 1));
    CHECK(sim::IsRetryableResponseCode(prof, prof.defaults, 2) == v5);
    CHECK(sim::IsRetryableResponseCode(prof, prof.defaults, 1500) == v5);
    CHECK((prof.retry_code_source == sim::RetryCodeSource::kHardCodedSwitch) == (p == "4.9.0"));
  }
}

TEST_CASE("§11 First-attempt async sync-throw: connect refused is not retried by 4.9.0 (#3556), "
          "caught and retried by 4.9.3/4.9.8, an operationFail retried from the event loop by "
          "5.3.3",
          "[profiles]") {
  sim::Scenario s = WarmUpThen(Workload(SendMode::kAsync, 2000, 1));
  s.faults = {Fault(FaultAction::kKill, kA, 500)};
  FourRuns runs(s, {kAsyncThread1, 1}, 10000);

  const sim::MessageRecord& m0 = runs.msg("4.9.0", 1);
  CHECK(Brokers(m0) == VS{kA});
  CHECK(m0.attempts[0].decision == "connect exception escaped to sendDefaultImpl, 1 attempt allowed");
  CHECK(ErrorType(m0) == "MQClientException");
  CHECK(ErrorCode(m0) == 10001);
  for (const char* p : {"4.9.3", "4.9.8"}) {
    INFO(p);
    const sim::MessageRecord& m = runs.msg(p, 1);
    CHECK(Brokers(m) == VS{kA, kB});
    CHECK(Threads(m) == VS{kAsyncThread1, kAsyncThread1});  // retried inside the catch-all
    CHECK(m.attempts[0].decision ==
          "caught in sendMessageAsync, retried on broker-b (async retry 1 of 2)");
    CHECK(m.outcome == Outcome::kOk);
  }
  const sim::MessageRecord& m5 = runs.msg("5.3.3", 1);
  CHECK(Brokers(m5) == VS{kA, kB});
  CHECK(Results(m5) == VS{"RemotingConnectException", "SEND_OK"});
  // The connect listener reports the failure on the Netty event loop, which retries.
  CHECK(Threads(m5) == VS{kAsyncThread1, kEventLoop});
  CHECK(Paths(m5) == VS{"sendDefaultImpl", "onExceptionImpl"});
  CHECK(EndMs(m5.attempts[0]) == 2002);
  CHECK(m5.attempts[0].decision == "onExceptionImpl, retried on broker-b (async retry 1 of 2)");
  CHECK(m5.outcome == Outcome::kOk);
  CHECK(ResolvedMs(m5) == 2005);
}

// A hangs (the async first attempt times out at the scan), B is killed (its retry connect is
// refused synchronously), latency faults on.
sim::Scenario HungAKilledB() {
  sim::Scenario s = WarmUpThen(Workload(SendMode::kAsync, 2000, 1));
  SetConfig(s.producers[0], "send_latency_fault_enable", true);
  s.faults = {SlowFault(kA, 1500, 10000), Fault(FaultAction::kKill, kB, 1500)};
  return s;
}

TEST_CASE("§11 Async retry when invokeAsync throws synchronously: 4.9.0's per-type catch isolates "
          "the previous broker (Q2), 4.9.3/4.9.8 catch everything in sendMessageAsync, 5.3.3 "
          "stops at the budget",
          "[profiles]") {
  FourRuns runs(HungAKilledB(), {kAsyncThread1, 1}, 12000);
  StagedRun& r0 = runs["4.9.0"];
  const sim::MessageRecord& m0 = r0.message(1);
  CHECK(Brokers(m0) == VS{kA, kB, kB});
  CHECK(Results(m0) ==
        VS{"MQClientException", "RemotingConnectException", "RemotingConnectException"});
  CHECK(ErrorType(m0) == "RemotingConnectException");
  // Q2: each refused connect isolates the broker tried *before* it (latency 3000, isolation):
  // first A, then B (the B -> B retry); B's own 2 ms failure is never recorded.
  CHECK(AnyEvent(r0.events(), "fault_item_update", "broker-a latency 3000 ms isolation=true"));
  CHECK(AnyEvent(r0.events(), "fault_item_update", "broker-b latency 3000 ms isolation=true"));
  CHECK(!AnyEvent(r0.events(), "fault_item_update", "broker-b latency 2 ms"));
  for (const char* p : {"4.9.3", "4.9.8"}) {
    INFO(p);
    StagedRun& r = runs[p];
    const sim::MessageRecord& m = r.message(1);
    CHECK(Brokers(m) == VS{kA, kB, kB});
    CHECK(m.attempts[1].decision ==
          "caught in sendMessageAsync, retried on broker-b (async retry 2 of 2)");
    CHECK(ErrorType(m) == "RemotingConnectException");
    CHECK(!AnyEvent(r.events(), "fault_item_update", "latency 3000 ms"));
    // The catch-all isolates the broker that failed, with its own latency.
    CHECK(AnyEvent(r.events(), "fault_item_update", "broker-b latency 2 ms isolation=true"));
    CHECK(!r.producer().fault_strategy().IsAvailable(kB));
  }
  CHECK(sim::FindProfile("4.9.3")->async_retry_catch ==
        sim::AsyncRetryCatch::kCatchAllInSendMessageAsync);
  CHECK(sim::FindProfile("4.9.8")->async_retry_catch == sim::AsyncRetryCatch::kRemoved);
  CHECK(sim::FindProfile("5.3.3")->async_retry_catch == sim::AsyncRetryCatch::kRemoved);
  const sim::MessageRecord& m5 = runs.msg("5.3.3", 1);
  CHECK(Brokers(m5) == VS{kA});
  CHECK(ErrorType(m5) == "MQClientException");
  CHECK(ErrorMessage(m5).rfind("wait response timeout, cost=", 0) == 0);
}

TEST_CASE("§11 Async retry requires budget > 0: only 5.3.3 stops after an async timeout",
          "[profiles]") {
  sim::Scenario s = WarmUpThen(Workload(SendMode::kAsync, 2000, 1));
  s.faults = {SlowFault(kA, 1500, 10000)};
  FourRuns runs(s, {kAsyncThread1, 1}, 12000);
  // 4.9.0: B is selected with a budget of -1000 ms: invokeAsync throws TooMuchRequest, which the
  // per-type catch does not retry.
  CHECK(Brokers(runs.msg("4.9.0", 1)) == VS{kA, kB});
  CHECK(ErrorType(runs.msg("4.9.0", 1)) == "RemotingTooMuchRequestException");
  for (const char* p : {"4.9.3", "4.9.8"}) {
    INFO(p);
    CHECK(Brokers(runs.msg(p, 1)) == VS{kA, kB, kA});
    CHECK(ErrorType(runs.msg(p, 1)) == "RemotingTooMuchRequestException");
  }
  const sim::MessageRecord& m5 = runs.msg("5.3.3", 1);
  CHECK(Brokers(m5) == VS{kA});
  CHECK(m5.attempts[0].decision == "no retry: budget -1400 ms left (retry needs > 0): onException");
  CHECK(ErrorType(m5) == "MQClientException");
  CHECK(ErrorMessage(m5) == "wait response timeout, cost=4400");
  for (const std::string& p : FourProfiles()) {
    CHECK(Profile(p).async_retry_requires_budget == (p == "5.3.3"));
  }
}

// Topic only on broker-b, whose connect takes 1200 ms, with a 1000 ms send timeout: the connect
// for the first async send (the first use of the topic, so no channel to B exists yet) succeeds
// after its budget ran out.
sim::Scenario SlowConnectAsync() {
  sim::Scenario s = TwoBrokerScenario();
  for (auto& b : s.cluster.brokers) b.network_delay = Ms(600);
  s.cluster.topics[0].brokers = {{kB, 4}};
  SetConfig(s.producers[0], "send_msg_timeout", Ms(1000));
  s.producers[0].send = {Workload(SendMode::kAsync, 2000, 1)};
  return s;
}

TEST_CASE("§11 Retries after a TooMuchRequest: 4.9.3/4.9.8 retry it, 4.9.0 lets it escape, 5.3.3's "
          "operationFail sets needRetry=false",
          "[profiles]") {
  FourRuns runs(SlowConnectAsync(), {}, 5000);
  const sim::MessageRecord& m0 = runs.msg("4.9.0", 0);
  CHECK(Brokers(m0) == VS{kB});
  CHECK(Results(m0) == VS{"RemotingTooMuchRequestException"});
  CHECK(ErrorType(m0) == "MQClientException");
  CHECK(ErrorCode(m0) == -1);
  for (const char* p : {"4.9.3", "4.9.8"}) {
    INFO(p);
    const sim::MessageRecord& m = runs.msg(p, 0);
    CHECK(Brokers(m) == VS{kB, kB, kB});
    CHECK(Results(m) == VS{"RemotingTooMuchRequestException", "RemotingTooMuchRequestException",
                           "RemotingTooMuchRequestException"});
    CHECK(ErrorType(m) == "RemotingTooMuchRequestException");
  }
  const sim::MessageRecord& m5 = runs.msg("5.3.3", 0);
  CHECK(Brokers(m5) == VS{kB});
  CHECK(Results(m5) == VS{"RemotingTooMuchRequestException"});
  CHECK(m5.attempts[0].decision.rfind(
            "no retry: needRetry=false (RemotingTooMuchRequestException): onException", 0) == 0);
  CHECK(ErrorMessage(m5) == "unknown reason");
  REQUIRE(m5.error.has_value());
  CHECK(m5.error->cause.rfind("RemotingTooMuchRequestException: invokeAsync call the addr[", 0) == 0);
}

TEST_CASE("§10.14 quirk Q9, 5.3.3: a connect that succeeds after the budget calls onException "
          "twice; recorded as callbacks 2 and double_callback, never collapsed",
          "[profiles]") {
  FourRuns runs(SlowConnectAsync(), {}, 5000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    StagedRun& r = runs[p];
    const sim::MessageRecord& m = r.message(0);
    sim::Summary sum = sim::Summarize(r.messages());
    const bool v5 = p == "5.3.3";
    CHECK(m.callbacks == (v5 ? 2 : 1));
    CHECK(sum.double_callback == (v5 ? 1 : 0));
    CHECK(sim::MetricValue(sum, "double_callback") == (v5 ? 1.0 : 0.0));
  }
  StagedRun& r5 = runs["5.3.3"];
  const sim::MessageRecord& m = r5.message(0);
  // The first onException stands (outcome, error, time); the second is recorded, not dropped.
  CHECK(m.outcome == Outcome::kFailed);
  CHECK(ErrorMessage(m) == "unknown reason");
  CHECK(ResolvedMs(m) == EndMs(m.attempts[0]));
  // The route query takes 2 ms (the name-server channel exists: 5.3.3 connects to every name
  // server at the first wheel tick), then the 1200 ms connect.
  CHECK(EndMs(m.attempts[0]) == 3202);
  CHECK(m.attempts[0].decision ==
        "no retry: needRetry=false (RemotingTooMuchRequestException): onException; then again "
        "(Q9): no retry: budget -202 ms left (retry needs > 0): onException");
  CHECK(EventsOf(r5.events(), "callback_again").size() == 1);
  CHECK(EventsOf(r5.events(), "result", "", m.id).size() == 2);
}

TEST_CASE("§11 Fault update on async sync-catch: 4.9.3/4.9.8's isolation is overwritten by "
          "sendDefaultImpl (Q3); 4.9.0 keeps 600 s; 5.3.3 extends only (10 s, reachable)",
          "[profiles]") {
  sim::Scenario s = WarmUpThen(Workload(SendMode::kAsync, 2000, 1));
  SetConfig(s.producers[0], "send_latency_fault_enable", true);
  s.faults = {Fault(FaultAction::kKill, kA, 500)};
  FourRuns runs(s, {kAsyncThread1, 1}, 3000);
  const sim::FaultItem* a0 = Item(runs["4.9.0"], kA);
  REQUIRE(a0 != nullptr);
  CHECK(a0->start_timestamp == 2002 + 600000);
  for (const char* p : {"4.9.3", "4.9.8"}) {
    INFO(p);
    const sim::FaultItem* a = Item(runs[p], kA);
    REQUIRE(a != nullptr);
    CHECK(a->start_timestamp == 2002);  // (cost, isolation) overwritten by (elapsed, false)
    CHECK(runs[p].producer().fault_strategy().IsAvailable(kA));
  }
  const sim::FaultItem* a5 = Item(runs["5.3.3"], kA);
  REQUIRE(a5 != nullptr);
  CHECK(a5->start_timestamp == 2002 + 10000);
  CHECK(a5->reachable);
  CHECK(!runs["5.3.3"].producer().fault_strategy().IsAvailable(kA));
}

TEST_CASE("§11 sendDefaultImpl MQClientException isolation: 'The broker[X] not exist' isolates X "
          "in 4.9.x, not in 5.3.3",
          "[profiles]") {
  // B is killed at 5 s; the route poll at 5010 drops it and cleanOfflineBroker at 6000 removes its
  // address. A sync send taken at 4900 (route snapshot with B) waits 2 s on A, gets SYSTEM_ERROR
  // and retries on B, which by then has no address.
  sim::Scenario s = WarmUpThen(Workload(SendMode::kSync, 4900, 1));
  SetConfig(s.producers[0], "send_latency_fault_enable", true);
  SetConfig(s.producers[0], "poll_name_server_interval", Ms(1000));
  SetConfig(s.producers[0], "heartbeat_broker_interval", Ms(1000));
  s.faults = {SlowFault(kA, 4000, 2000), ErrorFault(kA, 4000, sim::code::kSystemError, "SYSTEM_ERROR"),
              Fault(FaultAction::kKill, kB, 5000)};
  FourRuns runs(s, {SyncThread(2), 1, 4500}, 7000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const sim::MessageRecord& m = runs.msg(p, 1);
    REQUIRE(m.attempts.size() >= 2);
    CHECK(Brokers(m)[0] == kA);
    CHECK(Brokers(m)[1] == kB);
    CHECK(Results(m)[1] == "MQClientException");
    CHECK(m.attempts[1].detail == "The broker[broker-b] not exist");
    const bool v5 = p == "5.3.3";
    CHECK(runs[p].producer().fault_strategy().IsAvailable(kB) == v5);
    CHECK(Profile(p).client_exception_isolates == !v5);
  }
}

TEST_CASE("§11 MQBrokerException fault flags: isolation in every profile; 5.3.3 also marks the "
          "broker unreachable",
          "[profiles]") {
  sim::Scenario s = WarmUpThen(Workload(SendMode::kSync, 2000, 1));
  SetConfig(s.producers[0], "send_latency_fault_enable", true);
  s.faults = {ErrorFault(kA, 1500, sim::code::kSystemError, "SYSTEM_ERROR")};
  FourRuns runs(s, {SyncThread(2), 1}, 3000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const sim::MessageRecord& m = runs.msg(p, 1);
    CHECK(Brokers(m) == VS{kA, kB});
    CHECK(m.outcome == Outcome::kOk);
    const sim::FaultItem* a = Item(runs[p], kA);
    REQUIRE(a != nullptr);
    const bool v5 = p == "5.3.3";
    CHECK(a->start_timestamp == EndMs(m.attempts[0]) + (v5 ? 10000 : 600000));
    CHECK(runs[p].producer().fault_strategy().IsReachable(kA) == !v5);
  }
}

}  // namespace
}  // namespace rmqsim::testing
