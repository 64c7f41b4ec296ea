// §11 rows about client-instance settings and 5.3.3's optional features, four profiles side by
// side (rocketmq-behaviour.md §1, §2.1, §2.4, §6.3, §7, §10.17).
#include <catch2/catch.hpp>

#include "sim/name_server.h"
#include "tests/sim/profiles_fixture.h"

namespace rmqsim::testing {
namespace {

using sim::FaultAction;
using sim::Outcome;
using sim::SendMode;
using VS = std::vector<std::string>;

constexpr char kA[] = "broker-a";
constexpr char kB[] = "broker-b";

int64_t FirstRoutePollFailureAfter(StagedRun& r, int64_t after_ms) {
  for (const core::Event& e : EventsOf(r.events(), "route_poll")) {
    if (e.t.java_ms() > after_ms && e.text.find("RemotingTimeoutException") != std::string::npos) {
      return e.t.java_ms();
    }
  }
  return -1;
}

TEST_CASE("§11 Route query timeout: 3000 ms hard-coded in 4.9.0, mqClientApiTimeout from 4.9.3 on",
          "[profiles]") {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp()};
  sim::FaultSpec crash = Fault(FaultAction::kCrash, "ns-1", 500);
  crash.target.kind = sim::FaultTarget::Kind::kNameServer;
  s.faults = {crash};
  FourRuns runs(s, {}, 35000, [](sim::Scenario& sc, const std::string& p) {
    SetConfigIfAvailable(sc.producers[0], p, "mq_client_api_timeout", Ms(1000));
  });
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    // The periodic poll at 30010 ms asks a silent name server.
    CHECK(FirstRoutePollFailureAfter(runs[p], 30010) == (p == "4.9.0" ? 33010 : 31010));
    CHECK(sim::FindSetting("mq_client_api_timeout")->AvailableIn(p) == (p != "4.9.0"));
  }
}

TEST_CASE("§11 TBW102 placeholder in publish table: 4.9.x poll it, 5.3.3 has none", "[profiles]") {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp()};
  FourRuns runs(s, {}, 1000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const bool v5 = p == "5.3.3";
    StagedRun& r = runs[p];
    CHECK((r.producer().publish_info("TBW102") != nullptr) == !v5);
    std::vector<core::Event> polls = EventsOf(r.events(), "route_poll");
    REQUIRE(!polls.empty());
    CHECK(MsOf(polls[0].t) == 10);
    CHECK(polls[0].text == (v5 ? "updateTopicRouteInfoFromNameServer: "
                               : "updateTopicRouteInfoFromNameServer: TBW102"));
    // The first name-server connect: 4.9.x for the TBW102 poll at 10 ms; 5.3.3, with nothing to
    // poll, from scanAvailableNameSrv at the first wheel tick.
    std::vector<core::Event> connects = EventsOf(r.events(), "connect");
    REQUIRE(!connects.empty());
    CHECK(MsOf(connects[0].t) == (v5 ? 100 : 10));
    CHECK(connects[0].text == "connect to 10.0.1.1:9876");
  }
}

TEST_CASE("§11 sendMsgMaxTimeoutPerRequest / backpressure: 5.3.3-only settings; a capped attempt "
          "times out early and retries (§10.17), backpressure blocks and rejects on the caller",
          "[profiles]") {
  for (const char* key :
       {"send_msg_max_timeout_per_request", "enable_backpressure_for_async_mode",
        "back_pressure_for_async_send_num", "back_pressure_for_async_send_size",
        "start_detector_enable", "detect_timeout", "detect_interval",
        "enable_reconnect_for_go_away"}) {
    const sim::SettingInfo* info = sim::FindSetting(key);
    REQUIRE(info != nullptr);
    for (const std::string& p : FourProfiles()) {
      INFO(key << " " << p);
      CHECK(info->AvailableIn(p) == (p == "5.3.3"));
    }
  }

  SECTION("per-request cap 1 s against a hung broker") {
    sim::Scenario s = TwoBrokerScenario();
    FixedStep(s, 1);
    s.producers[0].send = {WarmUp(), Workload(SendMode::kSync, 2000, 1)};
    s.faults = {SlowFault(kA, 1500, 10000)};
    FourRuns runs(s, {SyncThread(2), 1}, 14000, [](sim::Scenario& sc, const std::string& p) {
      SetConfigIfAvailable(sc.producers[0], p, "send_msg_max_timeout_per_request", Ms(1000));
    });
    for (const std::string& p : FourProfiles()) {
      INFO(p);
      const sim::MessageRecord& m = runs.msg(p, 1);
      CHECK(Results(m)[0] == "RemotingTimeoutException");
      if (p == "5.3.3") {
        CHECK(EndMs(m.attempts[0]) == 3002);  // 1000 ms instead of the whole budget
        CHECK(Brokers(m) == VS{kA, kB});
        CHECK(m.outcome == Outcome::kOk);
        CHECK(m.stored.size() == 2);  // A stores it late: a duplicate
        CHECK(AnyEvent(runs[p].events(), "budget_capped", "capped to sendMsgMaxTimeoutPerRequest"));
      } else {
        CHECK(Brokers(m) == VS{kA});
        CHECK(ErrorMessage(m) == "sendDefaultImpl call timeout");
        CHECK(m.stored.size() == 1);  // stored on A, reported failed
      }
    }
  }

  SECTION("backpressure: 10 permits, a slow broker, the 11th send waits 3 s and is rejected") {
    sim::Scenario s = TwoBrokerScenario();
    s.cluster.topics[0].brokers = {{kA, 4}};
    SetConfig(s.producers[0], "enable_backpressure_for_async_mode", true);
    SetConfig(s.producers[0], "back_pressure_for_async_send_num", int64_t{10});
    s.producers[0].send = {Workload(SendMode::kAsync, 2000, 13, /*per_second=*/100)};
    s.faults = {SlowFault(kA, 1500, 20000)};
    StagedRun r(s, Profile("5.3.3"));
    r.RunUntil(12000);
    REQUIRE(r.messages().size() == 13);
    for (size_t i = 0; i < 10; ++i) {
      CHECK(MsOf(r.message(i).sent) == 2000 + 10 * static_cast<int64_t>(i));
      CHECK(r.message(i).attempts.size() == 1);
    }
    const sim::MessageRecord& m11 = r.message(10);
    CHECK(MsOf(m11.sent) == 2100);
    CHECK(m11.attempts.empty());
    CHECK(ErrorType(m11) == "RemotingTooMuchRequestException");
    CHECK(ErrorMessage(m11) == "send message tryAcquire semaphoreAsyncNum timeout");
    CHECK(ResolvedMs(m11) == 5100);
    // The caller was blocked: the 12th send happens when the 11th gave up, not at 2110 ms.
    CHECK(MsOf(r.message(11).sent) == 5100);
  }
}

TEST_CASE("5.3.3 latency detector (start_detector_enable): a RemotingException marks the broker "
          "unreachable; a probe after it restarts marks it reachable again",
          "[profiles]") {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), Workload(SendMode::kSync, 2000, 1)};
  SetConfig(s.producers[0], "send_latency_fault_enable", true);
  s.faults = {Fault(FaultAction::kKill, kA, 1500), Fault(FaultAction::kStart, kA, 7000)};
  for (bool detector : {true, false}) {
    INFO("detector " << detector);
    sim::Scenario sc = s;
    SetConfig(sc.producers[0], "start_detector_enable", detector);
    StagedRun r(sc, Profile("5.3.3"));
    r.RunUntil(1800);
    r.PinIndex(SyncThread(2), 1);
    r.RunUntil(2100);
    const sim::MessageRecord& m = r.message(1);
    CHECK(Brokers(m) == VS{kA, kB});
    sim::MQFaultStrategy& fs = r.producer().fault_strategy();
    CHECK(fs.IsReachable(kA) == !detector);
    r.RunUntil(8500);
    CHECK(fs.IsReachable(kA) == !detector);  // probes at 3 s and 6 s find A dead
    r.RunUntil(9500);
    CHECK(fs.IsReachable(kA));  // the 9 s probe answers
    CHECK(AnyEvent(r.events(), "detector", "broker-a: probe answered, reachable again") == detector);
    CHECK(AnyEvent(r.events(), "detector", "broker-a: probe failed") == detector);
  }
}

}  // namespace
}  // namespace rmqsim::testing
