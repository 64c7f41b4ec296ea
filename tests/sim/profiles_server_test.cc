// §11 rows about the name server and broker of each release, as a producer sees them, four
// profiles side by side (rocketmq-behaviour.md §3.3, §8, §9). A run's servers follow its profile.
#include <catch2/catch.hpp>

#include "sim/name_server.h"
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

TEST_CASE("§11 Name server scan: scanNotActiveBroker first at 5 s then every 10 s in 4.9.x; at "
          "5 ms then every 5 s in 5.3.3, with a per-broker heartbeat timeout",
          "[profiles]") {
  sim::Scenario s = TwoBrokerScenario();
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const bool v5 = p == "5.3.3";
    StagedRun r(s, Profile(p));
    sim::NameServer* ns = r.world().FindNameServer("ns-1");
    REQUIRE(ns != nullptr);
    r.RunUntil(1);
    CHECK(MsOf(ns->next_scan_at()) == (v5 ? 5 : 5000));
    r.RunUntil(6000);
    CHECK(MsOf(ns->next_scan_at()) == (v5 ? 10005 : 15000));
    CHECK(ns->HeartbeatTimeoutMs(kAddrA) == 120000);
    CHECK(Profile(p).namesrv_scan ==
          (v5 ? sim::NamesrvScan::kFirst5msEvery5s : sim::NamesrvScan::kFirst5sEvery10s));
  }
}

TEST_CASE("§11 Broker OS_PAGECACHE_BUSY code: SYSTEM_ERROR from a 4.9.x broker, SYSTEM_BUSY from "
          "5.3.3 (both retried by a sync send of the same release)",
          "[profiles]") {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), Workload(SendMode::kSync, 2000, 1)};
  s.faults = {ErrorFault(kA, 1500, sim::code::kStoreOsPageCacheBusy, "OS_PAGECACHE_BUSY")};
  FourRuns runs(s, {SyncThread(2), 1}, 3000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const sim::MessageRecord& m = runs.msg(p, 1);
    CHECK(Brokers(m) == VS{kA, kB});
    CHECK(Results(m) == VS{p == "5.3.3" ? "SYSTEM_BUSY" : "SYSTEM_ERROR", "SEND_OK"});
    CHECK(m.attempts[0].detail.find("[PC_SYNCHRONIZED]broker busy") != std::string::npos);
    CHECK(m.outcome == Outcome::kOk);
  }
}

TEST_CASE("§11 Bad queueId code: an async retry keeps queueId 3 on a broker with 2 queues: "
          "SYSTEM_ERROR from 4.9.x, INVALID_PARAMETER (29) from 5.3.3",
          "[profiles]") {
  sim::Scenario s = TwoBrokerScenario();
  s.cluster.topics[0].brokers = {{kA, 4}, {kB, 2}};
  s.producers[0].send = {WarmUp(), Workload(SendMode::kAsync, 2000, 1)};
  s.faults = {Fault(FaultAction::kKill, kA, 500)};
  PinSpec pin{kAsyncThread1, 3};
  pin.list_size = 6;
  FourRuns runs(s, pin, 5000);
  const sim::MessageRecord& m0 = runs.msg("4.9.0", 1);
  CHECK(Brokers(m0) == VS{kA});  // #3556: no retry reaches B
  CHECK(ErrorCode(m0) == 10001);
  for (const char* p : {"4.9.3", "4.9.8", "5.3.3"}) {
    INFO(p);
    const bool v5 = std::string(p) == "5.3.3";
    const sim::MessageRecord& m = runs.msg(p, 1);
    CHECK(Brokers(m) == VS{kA, kB});
    CHECK(Queues(m) == VI{3, 3});
    CHECK(Results(m)[1] == (v5 ? "INVALID_PARAMETER" : "SYSTEM_ERROR"));
    CHECK(ErrorType(m) == "MQBrokerException");
    CHECK(ErrorCode(m) == (v5 ? 29 : 1));
    CHECK(m.stored.empty());
  }
  for (const std::string& p : FourProfiles()) {
    CHECK(Profile(p).broker_bad_queue_id_code == (p == "5.3.3" ? 29 : 1));
  }
}

TEST_CASE("5.3.3 name server answers REQUEST_CODE_NOT_SUPPORTED to a SEND_MESSAGE an async retry "
          "sent on the name-server channel (a broker whose address is gone)",
          "[profiles]") {
  // B is killed at 5 s (its address leaves the producer at the 6 s cleanOfflineBroker); an async
  // send taken at 5 s (route snapshot with B) sits on A, which stored it and lost the answer; A is
  // killed at 6.1 s. 5.3.3 fails the request at the FIN and retries on B: no address, so the
  // request goes to the name server.
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), Workload(SendMode::kAsync, 5000, 1)};
  SetConfig(s.producers[0], "poll_name_server_interval", Ms(1000));
  SetConfig(s.producers[0], "heartbeat_broker_interval", Ms(1000));
  sim::FaultSpec drop = Fault(FaultAction::kDropResponses, kA, 4000);
  drop.ratio = sim::Ratio{1, 1};
  s.faults = {drop, Fault(FaultAction::kKill, kB, 5000), Fault(FaultAction::kKill, kA, 6100)};
  FourRuns runs(s, {kAsyncThread1, 1, 4500}, 12000);
  const sim::MessageRecord& m5 = runs.msg("5.3.3", 1);
  CHECK(Brokers(m5) == VS{kA, kB});
  CHECK(Results(m5) == VS{"RemotingSendRequestException", "REQUEST_CODE_NOT_SUPPORTED"});
  // The fail-fast reaches operationFail on a callback-executor thread, which makes the retry.
  CHECK(m5.attempts[0].thread == kAsyncThread1);
  CHECK(m5.attempts[1].thread.rfind("NettyClientPublicExecutor_", 0) == 0);
  CHECK(ErrorType(m5) == "MQBrokerException");
  CHECK(ErrorCode(m5) == 3);
  CHECK(m5.attempts[1].decision == "no retry: needRetry=false (MQBrokerException): onException");
  for (const char* p : {"4.9.3", "4.9.8"}) {
    INFO(p);
    // No failFast: the timeout at the scan leaves no budget, so the name-server channel gets
    // nothing (invokeAsync throws TooMuchRequest before writing).
    const sim::MessageRecord& m = runs.msg(p, 1);
    REQUIRE(m.attempts.size() >= 2);
    CHECK(Brokers(m)[1] == kB);
    CHECK(Results(m)[1] == "RemotingTooMuchRequestException");
  }
  for (const std::string& p : FourProfiles()) {
    CHECK(Profile(p).namesrv_answers_unsupported == (p == "5.3.3"));
  }
}

}  // namespace
}  // namespace rmqsim::testing
