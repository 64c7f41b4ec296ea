// Plain-text reports for the terminal: the side-by-side comparison `rmqsim run` prints.
#ifndef RMQSIM_REPORTS_TEXT_REPORT_H_
#define RMQSIM_REPORTS_TEXT_REPORT_H_

#include <ostream>
#include <vector>

#include "sim/outcome.h"
#include "sim/scenario.h"

namespace rmqsim::reports {

struct TextOptions {
  // Failed, lost, duplicated or double-callback (Q9) messages listed per profile before the rest
  // are counted.
  size_t max_messages = 10;
  // Diverging messages listed before the rest are counted.
  size_t max_divergences = 5;
};

// Header, the summary metrics side by side (rows that differ between profiles marked '*'), each
// profile's failed / lost / duplicated messages with their attempt chains, and the first
// divergences between profiles. Runs without records (compact accounting) show the summary only.
void WriteComparison(std::ostream& out, const sim::Scenario& s,
                     const std::vector<sim::RunResult>& runs, uint64_t seed,
                     const TextOptions& opts = {});

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_TEXT_REPORT_H_
