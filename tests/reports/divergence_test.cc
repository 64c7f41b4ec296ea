#include "reports/divergence.h"

#include <catch2/catch.hpp>

#include "tests/reports/report_fixture.h"

namespace rmqsim::reports {
namespace {

using namespace rmqsim::reports::testing;

TEST_CASE("First divergence of #3556 names both decisions", "[reports][divergence]") {
  std::vector<Divergence> d = FindDivergences({Run490(), Run493()});
  REQUIRE(d.size() == 1);
  CHECK(d[0].message_id == "pg#0/3");
  CHECK(d[0].attempt == 1);
  CHECK(d[0].sentence ==
        "4.9.0: connect exception escaped to sendDefaultImpl, 1 attempt allowed; "
        "4.9.3: caught in sendMessageAsync, retried on broker-b");
  REQUIRE(d[0].steps.size() == 2);
  CHECK(d[0].steps[0].outcome == "failed");
  CHECK(d[0].steps[0].stored == 0);
  CHECK(d[0].steps[1].outcome == "ok");
  CHECK(d[0].steps[1].attempts == 2);
}

TEST_CASE("First divergence shows results when they differ", "[reports][divergence]") {
  sim::RunResult a = Run490(), b = Run493();
  b.messages[2].attempts[0].result = "SEND_OK";
  b.messages[2].attempts[0].decision = "";
  b.messages[2].attempts.resize(1);
  b.messages[2].stored = {sim::StoredCopy{"broker-a", 2, Ms(10001)}};
  std::vector<Divergence> d = FindDivergences({a, b});
  REQUIRE(d.size() == 1);
  CHECK(d[0].sentence ==
        "4.9.0: RemotingConnectException on broker-a: connect exception escaped to "
        "sendDefaultImpl, 1 attempt allowed; 4.9.3: SEND_OK on broker-a: SEND_OK -> ok");
}

TEST_CASE("First divergence when one run stops early or lacks the message",
          "[reports][divergence]") {
  sim::RunResult a = Run493(), b = Run493();
  b.profile = "5.3.3";
  b.messages[2].attempts.resize(1);
  b.messages[2].stored.clear();
  b.messages[2].outcome = sim::Outcome::kFailed;
  b.messages.erase(b.messages.begin());  // pg#0/1 missing in 5.3.3
  std::vector<Divergence> d = FindDivergences({a, b});
  REQUIRE(d.size() == 2);
  CHECK(d[0].message_id == "pg#0/1");
  CHECK(d[0].sentence == "4.9.3: same attempts, then ok, stored 1 copy; 5.3.3: not sent");
  CHECK(d[1].attempt == 2);
  CHECK(d[1].sentence ==
        "4.9.3: SEND_OK on broker-b: done; 5.3.3: no attempt 2: failed after 1 attempt");
  CHECK(FindDivergences({a, b}, 1).size() == 1);
  CHECK(FindDivergences({a}).empty());
}

TEST_CASE("First divergence when only the outcome differs", "[reports][divergence]") {
  sim::RunResult a = Run493(), b = Run493();
  b.profile = "x";
  b.messages[0].stored.push_back(b.messages[0].stored[0]);
  std::vector<Divergence> d = FindDivergences({a, b});
  REQUIRE(d.size() == 1);
  CHECK(d[0].attempt == 2);
  CHECK(d[0].sentence ==
        "4.9.3: same attempts, then ok, stored 1 copy; x: same attempts, then ok, stored 2 copies");
}

sim::MessageRecord Msg(std::vector<sim::AttemptRecord> attempts, sim::Outcome outcome,
                       std::vector<sim::StoredCopy> stored = {},
                       sim::SendMode mode = sim::SendMode::kSync) {
  sim::MessageRecord m;
  m.id = "pg#0/9";
  m.producer = "pg#0";
  m.mode = mode;
  m.outcome = outcome;
  m.attempts = std::move(attempts);
  m.stored = std::move(stored);
  return m;
}

TEST_CASE("Loss causes", "[reports][divergence]") {
  using sim::Outcome;
  CHECK(ClassifyLoss(Run490().messages[2]) == Cause::kNoRetryAllowed);
  CHECK(ClassifyLoss(Msg({Attempt(1, "broker-a", 0, 0, -1, "", "sendDefaultImpl", "")},
                         Outcome::kUnresolved)) == Cause::kUnresolvedAtHorizon);
  CHECK(ClassifyLoss(Msg({}, Outcome::kFailed)) == Cause::kOther);
  CHECK(ClassifyLoss(Msg({Attempt(1, "broker-a", 0, 0, 1, "SEND_OK", "sendDefaultImpl", "")},
                         Outcome::kOk, {}, sim::SendMode::kOneway)) == Cause::kNoRetryAllowed);
  CHECK(ClassifyLoss(Msg({Attempt(1, "broker-a", 0, 0, 3000, "RemotingTimeoutException",
                                  "sendDefaultImpl", "stop: no time left")},
                         Outcome::kFailed)) == Cause::kRetryBudgetExhausted);
  CHECK(ClassifyLoss(Msg({Attempt(1, "broker-a", 0, 0, 1, "RemotingConnectException",
                                  "sendDefaultImpl", "retry"),
                          Attempt(2, "broker-b", 0, 1, 2, "RemotingConnectException",
                                  "sendDefaultImpl", "retry"),
                          Attempt(3, "broker-a", 1, 2, 3, "RemotingConnectException",
                                  "sendDefaultImpl", "give up")},
                         Outcome::kFailed)) == Cause::kRetryToFailedBroker);
  CHECK(ClassifyLoss(Msg({Attempt(1, "broker-a", 0, 0, 1, "RemotingConnectException",
                                  "sendDefaultImpl", "retry"),
                          Attempt(2, "broker-b", 0, 1, 2, "SYSTEM_BUSY", "sendDefaultImpl",
                                  "give up")},
                         Outcome::kFailed)) == Cause::kRetryBudgetExhausted);
}

TEST_CASE("Duplicate causes", "[reports][divergence]") {
  using sim::Outcome;
  auto two = [](std::string result, std::string detail = "") {
    return std::vector<sim::AttemptRecord>{
        Attempt(1, "broker-a", 0, 0, 3000, result, "sendDefaultImpl", "retry", detail),
        Attempt(2, "broker-b", 1, 3000, 3002, "SEND_OK", "sendDefaultImpl", "done")};
  };
  std::vector<sim::StoredCopy> copies = {{"broker-a", 0, Ms(1)}, {"broker-b", 1, Ms(3001)}};
  CHECK(ClassifyDuplicate(Msg(two("FLUSH_DISK_TIMEOUT"), Outcome::kOk, copies)) ==
        Cause::kRetryAfterNonOkStatus);
  CHECK(ClassifyDuplicate(Msg(two("RemotingTimeoutException"), Outcome::kOk, copies)) ==
        Cause::kTimeoutThenRetryStoredTwice);
  CHECK(ClassifyDuplicate(Msg(two("RemotingTimeoutException", "response dropped by fault"),
                              Outcome::kOk, copies)) == Cause::kResponseLostAfterStore);
  CHECK(ClassifyDuplicate(Msg(two("RemotingConnectException"), Outcome::kOk, copies)) ==
        Cause::kResponseLostAfterStore);
  // Both copies on the last attempt's broker: not explained by a retry.
  CHECK(ClassifyDuplicate(Msg(two("RemotingTimeoutException"), Outcome::kOk,
                              {{"broker-b", 1, Ms(3001)}, {"broker-b", 1, Ms(3001)}})) ==
        Cause::kOther);
}

TEST_CASE("Causes per run count losses and duplicates", "[reports][divergence]") {
  RunCauses c = ClassifyCauses(Run490());
  CHECK(c.profile == "4.9.0");
  REQUIRE(c.messages.size() == 1);
  CHECK(c.messages[0].message_id == "pg#0/3");
  CHECK(c.messages[0].anomaly == Anomaly::kLoss);
  CHECK(c.losses[static_cast<int>(Cause::kNoRetryAllowed)] == 1);
  CHECK(ClassifyCauses(Run493()).messages.empty());
  CHECK(std::string(CauseName(Cause::kTimeoutThenRetryStoredTwice)) ==
        "timeout then retry stored twice");
  CHECK(AllCauses().size() == 8);
}

}  // namespace
}  // namespace rmqsim::reports
