// `expect` evaluation: the assertions `rmqsim check` runs against each profile's summary.
#ifndef RMQSIM_SIM_EXPECT_H_
#define RMQSIM_SIM_EXPECT_H_

#include <string>
#include <vector>

#include "sim/outcome.h"
#include "sim/scenario.h"

namespace rmqsim::sim {

struct AssertionResult {
  Expectation expectation;  // a copy: results outlive the scenario they came from
  double actual = 0;
  bool passed = false;
  // "failed >= 1: actual 0"
  std::string Describe() const;
};

// The assertions that apply to `profile` (its own and `all:`), in file order, evaluated against
// `run`'s summary.
std::vector<AssertionResult> EvaluateExpectations(const Scenario& s, const RunResult& run);

// "12", "4.5": metric values as the check output shows them.
std::string FormatMetric(double v);

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_EXPECT_H_
