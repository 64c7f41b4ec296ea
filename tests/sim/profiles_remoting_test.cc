// §11 rows about the remoting layer (NettyRemotingClient), four profiles side by side
// (rocketmq-behaviour.md §4, §10.5, §10.6, §10.8, §10.15), plus 5.3.3's GO_AWAY handling.
#include <catch2/catch.hpp>

#include "sim/response_code.h"
#include "tests/sim/profiles_fixture.h"

namespace rmqsim::testing {
namespace {

using sim::FaultAction;
using sim::Outcome;
using sim::SendMode;
using VS = std::vector<std::string>;

constexpr char kA[] = "broker-a";
constexpr char kB[] = "broker-b";

bool ClosedAt(StagedRun& r, const std::string& addr, int64_t at_ms) {
  for (const core::Event& e : EventsOf(r.events(), "channel_closed")) {
    if (e.t.java_ms() == at_ms && e.text.rfind(addr + ":", 0) == 0) return true;
  }
  return false;
}

TEST_CASE("§11 Async connect: 4.9.x connect on the async sender thread (blocking up to 3 s); "
          "5.3.3 returns at once and fails from the connect listener",
          "[profiles]") {
  // A is blackholed; the first async send picks a1. One async sender thread, so a blocked
  // connect delays the next async send.
  sim::Scenario s = TwoBrokerScenario();
  SetConfig(s.producers[0], "async_sender_executor_threads", int64_t{1});
  s.producers[0].send = {WarmUp(), Workload(SendMode::kAsync, 2000, 2, /*per_second=*/10)};
  // Killed first (its open channel closes), then silent: a new connect gets no answer.
  s.faults = {Fault(FaultAction::kKill, kA, 1200), Fault(FaultAction::kCrash, kA, 1300)};
  FourRuns runs(s, {kAsyncThread1, 1}, 12000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const sim::MessageRecord& first = runs.msg(p, 1);
    const sim::MessageRecord& second = runs.msg(p, 2);
    CHECK(Brokers(first)[0] == kA);
    CHECK(EndMs(first.attempts[0]) == 5000);  // Netty's 3000 ms connect timeout
    CHECK(first.attempts[0].result == "RemotingConnectException");
    if (p == "5.3.3") {
      CHECK(MsOf(second.attempts[0].start) == 2100);  // the sender thread was never blocked
      CHECK(Brokers(first) == VS{kA});  // budget left 0: no retry
      CHECK(ErrorMessage(first) == "unknown reason");
      CHECK(first.error->cause == "RemotingConnectException: connect to 10.0.0.1:10911 failed");
    } else {
      CHECK(MsOf(second.attempts[0].start) >= 5000);
    }
    CHECK((Profile(p).async_connect == sim::AsyncConnect::kListener) == (p == "5.3.3"));
  }
}

TEST_CASE("§11 clientCloseSocketIfTimeout default: off in 4.9.0, on in 4.9.3+, and in 5.3.3 only "
          "when left > 100 ms or left > T/4",
          "[profiles]") {
  SECTION("a sync timeout with the whole budget left to wait") {
    sim::Scenario s = TwoBrokerScenario();
    s.producers[0].send = {WarmUp(), Workload(SendMode::kSync, 2000, 1)};
    s.faults = {SlowFault(kA, 1500, 10000)};
    FourRuns runs(s, {SyncThread(2), 1}, 6000);
    for (const std::string& p : FourProfiles()) {
      INFO(p);
      const sim::MessageRecord& m = runs.msg(p, 1);
      CHECK(Results(m)[0] == "RemotingTimeoutException");
      CHECK(EndMs(m.attempts[0]) == 5000);
      CHECK(ClosedAt(runs[p], kAddrA, 5000) == (p != "4.9.0"));
    }
  }
  SECTION("a sync timeout after a connect that used up all but 80 ms") {
    // Topic on A only; A is 1460 ms away, so the connect takes 2920 ms of the 3000 ms budget
    // (the first send fetches the route: 2 or 4 ms more), leaving less than 100 ms to wait.
    sim::Scenario s = TwoBrokerScenario();
    FixedStep(s, 1);  // past the budget at the end, not exactly on it (no 0 ms retry, E05)
    s.cluster.brokers[0].network_delay = Ms(1460);
    s.cluster.topics[0].brokers = {{kA, 4}};
    s.producers[0].send = {Workload(SendMode::kSync, 2000, 1)};
    FourRuns runs(s, {}, 8000);
    for (const std::string& p : FourProfiles()) {
      INFO(p);
      const sim::MessageRecord& m = runs.msg(p, 0);
      REQUIRE(m.attempts.size() == 1);
      CHECK(Results(m)[0] == "RemotingTimeoutException");
      const int64_t end = EndMs(m.attempts[0]);
      CHECK(end == 5002);
      CHECK(ErrorMessage(m) == "sendDefaultImpl call timeout");
      CHECK(ClosedAt(runs[p], kAddrA, end) == (p == "4.9.3" || p == "4.9.8"));
    }
  }
}

TEST_CASE("§11 failFast on peer close (channelInactive): only 5.3.3 fails in-flight requests at "
          "the FIN, so a sync send retries at once and duplicates a stored message (§10.8)",
          "[profiles]") {
  // A stores the message but its response is lost; A is killed 500 ms later.
  sim::Scenario s = TwoBrokerScenario();
  FixedStep(s, 1);
  s.producers[0].send = {WarmUp(), Workload(SendMode::kSync, 2000, 1)};
  sim::FaultSpec drop = Fault(FaultAction::kDropResponses, kA, 1500);
  drop.ratio = sim::Ratio{1, 1};
  s.faults = {drop, Fault(FaultAction::kKill, kA, 2500)};
  FourRuns runs(s, {SyncThread(2), 1}, 8000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const sim::MessageRecord& m = runs.msg(p, 1);
    if (p == "5.3.3") {
      CHECK(Brokers(m) == VS{kA, kB});
      CHECK(Results(m) == VS{"RemotingSendRequestException", "SEND_OK"});
      CHECK(EndMs(m.attempts[0]) == 2502);  // FIN at 2501, then the woken caller's step
      CHECK(m.outcome == Outcome::kOk);
      CHECK(StoredOn(m) == VS{"broker-a:1", "broker-b:0"});  // a duplicate
    } else {
      CHECK(Brokers(m) == VS{kA});
      CHECK(Results(m) == VS{"RemotingTimeoutException"});
      CHECK(m.outcome == Outcome::kFailed);
      CHECK(ErrorMessage(m) == "sendDefaultImpl call timeout");
      CHECK(StoredOn(m) == VS{"broker-a:1"});  // a false failure
    }
    CHECK(Profile(p).fail_fast_on_peer_close == (p == "5.3.3"));
  }
}

TEST_CASE("§11 Timeout scanner: 4.9.x Timer every 1 s from 3 s, 5.3.3 wheel timer at ~3.1 s then "
          "every ~1.1 s",
          "[profiles]") {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), Workload(SendMode::kAsync, 2000, 1)};
  s.faults = {SlowFault(kA, 1500, 20000)};
  FourRuns runs(s, {kAsyncThread1, 1}, 12000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    const sim::MessageRecord& m = runs.msg(p, 1);
    // Expiry at begin + timeout + 1000 = 6000; the first tick at or after it.
    CHECK(EndMs(m.attempts[0]) == (p == "5.3.3" ? 6400 : 6000));
    CHECK(EventsOf(runs[p].events(), "request_timeout").size() >= 1);
  }
}

TEST_CASE("§11 Oneway connect failure: an exception in 4.9.x, silently dropped in 5.3.3 (§10.15)",
          "[profiles]") {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), Workload(SendMode::kOneway, 2000, 1)};
  s.faults = {Fault(FaultAction::kKill, kA, 500)};
  FourRuns runs(s, {"app-2-oneway-1", 1}, 5000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    StagedRun& r = runs[p];
    const sim::MessageRecord& m = r.message(1);
    CHECK(Brokers(m) == VS{kA});
    CHECK(m.stored.empty());
    if (p == "5.3.3") {
      CHECK(m.outcome == Outcome::kOk);
      CHECK(sim::Summarize(r.messages()).silent_loss == 1);
      CHECK(EventsOf(r.events(), "request_dropped", "", m.id).size() == 1);
    } else {
      CHECK(m.outcome == Outcome::kFailed);
      CHECK(ErrorType(m) == "MQClientException");
      CHECK(ErrorCode(m) == 10001);
    }
  }
}

TEST_CASE("§11 Sync requests use async semaphore: with clientAsyncSemaphoreValue 1, a 5.3.3 sync "
          "send waits for the permit an async send holds",
          "[profiles]") {
  sim::Scenario s = TwoBrokerScenario();
  SetConfig(s.producers[0], "client_async_semaphore_value", int64_t{1});
  s.producers[0].send = {WarmUp(), Workload(SendMode::kAsync, 2000, 1),
                         Workload(SendMode::kSync, 2100, 1)};
  s.faults = {SlowFault(kA, 1500, 1000)};
  // The async send takes a1 (slow); the sync send takes b1.
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    StagedRun run(s, Profile(p));
    run.RunUntil(1500);
    run.PinIndex(kAsyncThread1, 1);
    run.PinIndex(SyncThread(3), 5);
    run.RunUntil(6000);
    const sim::MessageRecord& async = run.message(1);
    const sim::MessageRecord& sync = run.message(2);
    CHECK(Brokers(async) == VS{kA});
    CHECK(Brokers(sync) == VS{kB});
    CHECK(ResolvedMs(async) == 3003);
    // 4.9.x: no permit needed. 5.3.3: the permit comes back when A's answer has been handled.
    CHECK(ResolvedMs(sync) == (p == "5.3.3" ? 3006 : 2103));
  }
}

bool ResetAt(StagedRun& r, const std::string& addr, int64_t at_ms) {
  for (const core::Event& e : EventsOf(r.events(), "channel_reset")) {
    if (e.t.java_ms() == at_ms && e.text.rfind(addr + ":", 0) == 0) return true;
  }
  return false;
}

TEST_CASE("§11 Netty: 4.0.42 (4.9.0), 4.1.65 (4.9.3, 4.9.8), 4.1.114 (5.3.3); the FIN/RST "
          "handling modelled is the same in all of them",
          "[profiles]") {
  // Two sync sends from one caller thread, both channels open since the 1 s heartbeat.
  // A half-open connection: A is cut off, killed (its FIN is lost) and restarted, so the client's
  // channel to A still looks active; the 2 s send written on it draws an RST from A's host, which
  // Netty reports through exceptionCaught, and the close through the pipeline fails the request
  // at once (failFast). B is killed cleanly: its FIN closes the channel, so the 3 s send to B
  // opens a new connection, which is refused.
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), Workload(SendMode::kSync, 2000, 2, /*per_second=*/1)};
  s.faults = {Fault(FaultAction::kPartition, kA, 1600), Fault(FaultAction::kKill, kA, 1700),
              Fault(FaultAction::kStart, kA, 1800), Fault(FaultAction::kKill, kB, 2500)};
  FourRuns runs(s, {SyncThread(2), 1}, 6000);
  for (const std::string& p : FourProfiles()) {
    INFO(p);
    StagedRun& r = runs[p];
    const sim::MessageRecord& rst = r.message(1);
    CHECK(Brokers(rst) == VS{kA, kB});
    CHECK(Results(rst) == VS{"RemotingSendRequestException", "SEND_OK"});
    CHECK(MsOf(rst.attempts[0].start) == 2000);
    CHECK(EndMs(rst.attempts[0]) == 2002);  // write at 2000, RST back one round trip later
    CHECK(ResetAt(r, kAddrA, 2002));
    CHECK(StoredOn(rst) == VS{"broker-b:0"});
    CHECK(rst.outcome == Outcome::kOk);

    const sim::MessageRecord& fin = r.message(2);
    CHECK(Brokers(fin) == VS{kB, kA});
    CHECK(Results(fin) == VS{"RemotingConnectException", "SEND_OK"});
    CHECK(EndMs(fin.attempts[0]) == 3002);  // SYN, then the host's RST: refused
    CHECK(StoredOn(fin) == VS{"broker-a:0"});  // A's new process, on a new connection
    CHECK(fin.outcome == Outcome::kOk);
    CHECK(!ResetAt(r, kAddrB, 3002));  // nothing was written on the closed channel

    // The FIN reached the client at 2501 in every release; only 5.3.3's client has a
    // channelInactive handler of its own (the failFast row).
    std::vector<core::Event> inactive = EventsOf(r.events(), "channel_inactive");
    REQUIRE(inactive.size() == 1);
    CHECK(inactive[0].t.java_ms() == 2501);
    CHECK(inactive[0].text.rfind(std::string(kAddrB) + ":", 0) == 0);
    CHECK((inactive[0].text.find("fail fast") != std::string::npos) == (p == "5.3.3"));
    CHECK(Profile(p).fail_fast_on_peer_close == (p == "5.3.3"));
  }
  CHECK(Profile("4.9.0").netty_version == "4.0.42.Final");
  CHECK(Profile("4.9.3").netty_version == "4.1.65.Final");
  CHECK(Profile("4.9.8").netty_version == "4.1.65.Final");
  CHECK(Profile("5.3.3").netty_version == "4.1.114.Final");
}

TEST_CASE("5.3.3 GO_AWAY (1500): reconnect and re-send once, then RemotingSendRequestException "
          "and a sync retry elsewhere; 4.9.x see an unknown broker code",
          "[profiles]") {
  sim::Scenario s = TwoBrokerScenario();
  s.producers[0].send = {WarmUp(), Workload(SendMode::kSync, 2000, 1)};
  s.faults = {ErrorFault(kA, 1500, sim::code::kGoAway, "GO_AWAY")};
  SECTION("enable_reconnect_for_go_away (default true)") {
    FourRuns runs(s, {SyncThread(2), 1}, 5000);
    for (const std::string& p : FourProfiles()) {
      INFO(p);
      StagedRun& r = runs[p];
      const sim::MessageRecord& m = r.message(1);
      if (p == "5.3.3") {
        CHECK(Brokers(m) == VS{kA, kB});
        CHECK(Results(m) == VS{"RemotingSendRequestException", "SEND_OK"});
        CHECK(AnyEvent(r.events(), "go_away", "reconnect to 10.0.0.1:10911"));
        CHECK(AnyEvent(r.events(), "go_away", "re-send once on the new channel"));
        CHECK(EventsOf(r.events(), "request_arrived", "broker:broker-a", m.id).size() == 2);
        CHECK(m.outcome == Outcome::kOk);
      } else {
        CHECK(Brokers(m) == VS{kA});
        CHECK(Results(m) == VS{"GO_AWAY"});
        CHECK(ErrorType(m) == "MQBrokerException");
        CHECK(ErrorCode(m) == 1500);
      }
    }
  }
  SECTION("enable_reconnect_for_go_away: false (5.3.3)") {
    SetConfig(s.producers[0], "enable_reconnect_for_go_away", false);
    StagedRun r(s, Profile("5.3.3"));
    r.RunUntil(1500);
    r.PinIndex(SyncThread(2), 1);
    r.RunUntil(5000);
    const sim::MessageRecord& m = r.message(1);
    CHECK(Brokers(m) == VS{kA, kB});
    CHECK(Results(m)[0] == "RemotingSendRequestException");
    CHECK(!AnyEvent(r.events(), "go_away", "reconnect"));
    CHECK(EventsOf(r.events(), "request_arrived", "broker:broker-a", m.id).size() == 1);
  }
}

}  // namespace
}  // namespace rmqsim::testing
