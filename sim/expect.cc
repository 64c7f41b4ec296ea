#include "sim/expect.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rmqsim::sim {

std::string FormatMetric(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return absl::StrFormat("%d", static_cast<int64_t>(v));
  return absl::StrFormat("%.3f", v);
}

std::string AssertionResult::Describe() const {
  return absl::StrCat(expectation.metric, " ", CompareOpText(expectation.op), " ",
                      FormatMetric(expectation.value), ": actual ", FormatMetric(actual));
}

namespace {
bool Holds(double actual, CompareOp op, double want) {
  switch (op) {
    case CompareOp::kEq: return actual == want;
    case CompareOp::kNe: return actual != want;
    case CompareOp::kLt: return actual < want;
    case CompareOp::kLe: return actual <= want;
    case CompareOp::kGt: return actual > want;
    case CompareOp::kGe: return actual >= want;
  }
  return false;
}
}  // namespace

std::vector<AssertionResult> EvaluateExpectations(const Scenario& s, const RunResult& run) {
  std::vector<AssertionResult> out;
  for (const Expectation& e : s.expect) {
    if (e.profile != "all" && e.profile != run.profile) continue;
    std::optional<double> v = MetricValue(run.summary, e.metric);
    RMQ_CHECK(v.has_value()) << "expectation on metric '" << e.metric
                             << "' passed validation but has no value";
    out.push_back(AssertionResult{e, *v, Holds(*v, e.op, e.value)});
  }
  return out;
}

}  // namespace rmqsim::sim
