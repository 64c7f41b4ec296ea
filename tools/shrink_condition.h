// The condition `rmqsim shrink --until` keeps true (tools/shrink.cc): clauses
// `PROFILE.METRIC OP VALUE` or `PROFILE.METRIC OP PROFILE.METRIC` joined by `&&`, and how the
// shrunk scenario's `expect` states it.
//
//   absl::StatusOr<std::vector<Clause>> c = ParseCondition("4.9.0.lost > 4.9.3.lost");
//   std::vector<Assertion> e = ExpectOf(*c, summaries_of_the_shrunk_run);
#ifndef RMQSIM_TOOLS_SHRINK_CONDITION_H_
#define RMQSIM_TOOLS_SHRINK_CONDITION_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "sim/expect.h"
#include "sim/outcome.h"
#include "sim/scenario.h"

namespace rmqsim::tools {

// One side of a comparison: a profile's metric ("4.9.0.lost"), or a number.
struct Operand {
  std::string profile;  // empty: `value`
  std::string metric;
  double value = 0;
  bool is_metric() const { return !profile.empty(); }
  std::string Text() const {
    return is_metric() ? absl::StrCat(profile, ".", metric) : sim::FormatMetric(value);
  }
};

// `LHS OP RHS`: LHS a profile's metric, RHS a number or another profile's metric
// ('4.9.0.lost > 4.9.3.lost' keeps what distinguishes the profiles).
struct Clause {
  Operand lhs;
  sim::CompareOp op = sim::CompareOp::kGt;
  Operand rhs;
  std::string Text() const {
    return absl::StrCat(lhs.Text(), " ", sim::CompareOpText(op), " ", rhs.Text());
  }
};

// a OP b.
bool Compare(double a, sim::CompareOp op, double b);

// The clauses of `text`; InvalidArgument "--until 'TEXT': what is wrong; expected ..." for a
// clause without a comparison, an unknown profile or metric, or a right side that is neither a
// number nor a profile's metric.
absl::StatusOr<std::vector<Clause>> ParseCondition(const std::string& text);

// The condition as `expect` assertions, which only compare with numbers: `A OP B` between two
// profiles becomes `A OP b` and `B <= b` (or >=, ==: whatever makes the pair imply the clause), b
// being B's value in the shrunk run. A metric asserted twice is pinned to its value there.
struct Assertion {
  std::string profile, metric, op;
  double value;
};
std::vector<Assertion> ExpectOf(const std::vector<Clause>& clauses,
                                const std::map<std::string, sim::Summary>& runs);

}  // namespace rmqsim::tools

#endif  // RMQSIM_TOOLS_SHRINK_CONDITION_H_
