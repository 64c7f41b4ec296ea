// Model acceptance tests: a broker process killed while requests are in flight
// (rocketmq-behaviour.md §10.8, §4.4; catalog E06 case (i)).
//
// Client steps take a fixed 1 ms here, so a sync send that waits out its whole budget ends past
// it (no zero-budget retry, E05) and every time below is still exact.
#include <catch2/catch.hpp>

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

const sim::MessageRecord& ByMode(StagedRun& run, SendMode mode) {
  for (size_t i = 1; i < run.messages().size(); ++i) {
    if (run.messages()[i].mode == mode) return run.messages()[i];
  }
  FAIL("no message with that mode");
  return run.messages()[0];
}

TEST_CASE("§10.8 broker killed with a sync and an async request in flight: no fail-fast on the "
          "FIN, sync times out at T, async waits for the scan",
          "[model]") {
  for (const char* name : {"4.9.0", "4.9.3"}) {
    SECTION(name) {
      sim::Scenario s = TwoBrokerScenario();
      FixedStep(s, 1);
      s.producers[0].send = {WarmUp(), Workload(SendMode::kSync, 2000, 1),
                             Workload(SendMode::kAsync, 2000, 1)};
      // From 1500 ms A takes 500 ms per send, so both requests are still on A when it dies.
      s.faults = {SlowFault("broker-a", 1500, 500), Fault(FaultAction::kKill, "broker-a", 2100)};
      StagedRun run(s, Profile(name));
      run.RunUntil(1500);
      run.PinIndex(SyncThread(2), 1);  // sync: a1
      run.PinIndex(kAsyncThread1, 2);  // async: a2
      run.RunUntil(10000);
      REQUIRE(run.messages().size() == 3);

      // Both requests reached A; A died before answering; its FIN (2101) failed nothing.
      for (SendMode mode : {SendMode::kSync, SendMode::kAsync}) {
        const sim::MessageRecord& m = ByMode(run, mode);
        CHECK(EventsOf(run.events(), "request_arrived", "broker:broker-a", m.id).size() == 1);
        CHECK(m.stored.empty());
      }
      CHECK(EventsOf(run.events(), "channel_inactive", "producer:pg#0").size() == 1);

      // Sync: entry step (1 ms), attempt at 2001 waits the whole 3000 ms, wakes at 5001 and takes a
      // step: cost 3001 > 3000, so the loop ends with the call timeout. No retry.
      const sim::MessageRecord& sync = ByMode(run, SendMode::kSync);
      CHECK(Brokers(sync) == VS{"broker-a"});
      CHECK(Queues(sync) == VI{1});
      CHECK(MsOf(sync.attempts[0].start) == 2001);
      CHECK(EndMs(sync.attempts[0]) == 5002);
      CHECK(sync.attempts[0].result == "RemotingTimeoutException");
      CHECK(sync.attempts[0].detail ==
            std::string("wait response on the channel <") + kAddrA + "> timeout, 3000(ms)");
      REQUIRE(sync.error.has_value());
      CHECK(sync.error->type == "RemotingTooMuchRequestException");
      CHECK(sync.error->message == "sendDefaultImpl call timeout");
      CHECK(ResolvedMs(sync) == 5002);

      // 4.9.3 closes the timed-out channel (clientCloseSocketIfTimeout), but the FIN already
      // emptied its pipeline, so the close runs no failFast; 4.9.0 does not close it at all.
      auto closes = EventsOf(run.events(), "channel_closed", "producer:pg#0");
      if (std::string(name) == "4.9.3") {
        REQUIRE(closes.size() == 1);
        CHECK(MsOf(closes[0].t) == 5002);
        CHECK(closes[0].text ==
              std::string(kAddrA) + ": closed by client; pipeline already gone, no failFast");
      } else {
        CHECK(closes.empty());
      }

      // Async: the future (begin 2001, timeout 3000) expires at 6001, so the scanner (ticks at
      // 3000 + k*1000) reports it at 7000; the callback thread takes a step (7001). The budget is
      // 3000 - 5000 < 0, so the retry on B fails inside the client.
      const sim::MessageRecord& async = ByMode(run, SendMode::kAsync);
      CHECK(MsOf(async.attempts[0].start) == 2001);
      CHECK(EndMs(async.attempts[0]) == 7001);
      CHECK(async.attempts[0].result == "MQClientException");
      CHECK(async.attempts[0].detail == "wait response timeout 3000ms");  // not "send request failed"
      CHECK(EventsOf(run.events(), "request_arrived", "broker:broker-b", async.id).empty());
      REQUIRE(async.error.has_value());
      if (std::string(name) == "4.9.0") {
        CHECK(Brokers(async) == VS{"broker-a", "broker-b"});
        CHECK(Queues(async) == VI{2, 2});
        CHECK(async.error->type == "RemotingTooMuchRequestException");
        CHECK(async.error->message == "invokeAsync call timeout");
        CHECK(ResolvedMs(async) == 7001);
      } else {
        // B fails on the budget; the catch-all retries on A, whose new connect is refused before
        // any budget check (7001 + 2 ms round trip + 1 ms step).
        CHECK(Brokers(async) == VS{"broker-a", "broker-b", "broker-a"});
        CHECK(Queues(async) == VI{2, 2, 2});
        CHECK(Results(async) == VS{"MQClientException", "RemotingTooMuchRequestException",
                                   "RemotingConnectException"});
        CHECK(async.error->type == "RemotingConnectException");
        CHECK(async.error->message == std::string("connect to ") + kAddrA + " failed");
        CHECK(ResolvedMs(async) == 7004);
      }
    }
  }
}

}  // namespace
}  // namespace rmqsim::testing
