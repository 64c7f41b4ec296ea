#include "sim/expect.h"

#include <catch2/catch.hpp>
#include <string>

#include "sim/run.h"
#include "sim/scenario_loader.h"
#include "tests/test_util.h"

namespace rmqsim::sim {
namespace {

Scenario LoadShipped(const std::string& name) {
  absl::StatusOr<Scenario> s = LoadScenarioFile(std::string(RMQSIM_SOURCE_DIR) + "/scenarios/" + name);
  REQUIRE_OK(s);
  return *s;
}

size_t Failures(const Scenario& s, const RunResult& r) {
  size_t n = 0;
  for (const AssertionResult& a : EvaluateExpectations(s, r)) n += a.passed ? 0 : 1;
  return n;
}

TEST_CASE("The #3556 scenario's expectations hold for the real profiles", "[expect]") {
  Scenario s = LoadShipped("broker-down-mid-async-send.yaml");
  REQUIRE(s.compare == std::vector<std::string>{"4.9.0", "4.9.3", "4.9.8", "5.3.3"});
  for (const char* name : {"4.9.0", "4.9.3", "4.9.8", "5.3.3"}) {
    RunResult r = RunScenario(s, *FindProfile(name), RunOptions{false, nullptr, std::nullopt});
    INFO(name);
    CHECK(Failures(s, r) == 0);
  }
}

TEST_CASE("Reverting the #3556 fix in the 4.9.3 profile makes its pinned expectations fail",
          "[expect]") {
  // The mutation: 4.9.3 with 4.9.0's handling of a synchronous invokeAsync failure.
  Scenario s = LoadShipped("broker-down-mid-async-send.yaml");
  Profile mutated = *FindProfile("4.9.3");
  mutated.async_sync_throw = AsyncSyncThrow::kEscapesToSendLoop;
  RunResult r = RunScenario(s, mutated, RunOptions{false, nullptr, std::nullopt});
  std::vector<AssertionResult> results = EvaluateExpectations(s, r);
  std::vector<std::string> failed;
  for (const AssertionResult& a : results) {
    if (!a.passed) failed.push_back(a.Describe());
  }
  REQUIRE(failed.size() == 4);
  CHECK(failed[0] == "failed == 0: actual 50");
  CHECK(failed[1] == "lost == 0: actual 50");
  CHECK(failed[2] == "ok == 500: actual 450");
  CHECK(failed[3] == "attempts_max == 2: actual 1");
}

TEST_CASE("Expectations apply per profile plus all:, in file order", "[expect]") {
  Scenario s = LoadShipped("broker-down-mid-async-send.yaml");
  RunResult r;
  r.profile = "4.9.0";
  r.summary.messages = 500;
  r.summary.failed = 3;
  r.summary.lost = 3;
  r.summary.errors_by_type["MQClientException"] = 12;
  r.summary.attempts_max = 1;
  std::vector<AssertionResult> a = EvaluateExpectations(s, r);
  REQUIRE(a.size() == 7);
  CHECK(a[0].expectation.metric == "messages");
  CHECK(a[0].passed);
  CHECK(a[3].Describe() == "failed >= 10: actual 3");
  CHECK_FALSE(a[3].passed);
  CHECK(a[5].Describe() == "errors.MQClientException >= 10: actual 12");
  CHECK(a[5].passed);
}

}  // namespace
}  // namespace rmqsim::sim
