// JUnit XML for `rmqsim check --junit FILE`: one <testsuite> per scenario, one <testcase> per
// profile, a <failure> listing every assertion that fell short. CI systems (Jenkins, GitLab,
// GitHub Actions test reporters) read this schema.
#ifndef RMQSIM_REPORTS_JUNIT_H_
#define RMQSIM_REPORTS_JUNIT_H_

#include <ostream>
#include <string>
#include <vector>

#include "sim/expect.h"

namespace rmqsim::reports {

struct JunitCase {
  std::string profile;
  std::vector<sim::AssertionResult> assertions;
  double seconds = 0;  // wall time of the run (left 0 for byte-stable output)
};

struct JunitSuite {
  std::string name;  // scenario path
  std::string id;    // scenario id
  std::vector<JunitCase> cases;
  std::string error;  // set when the scenario could not be loaded
};

void WriteJunit(std::ostream& out, const std::vector<JunitSuite>& suites);

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_JUNIT_H_
