// Internals shared by sweep.cc, sweep_output.cc and sweep_html.cc. Not part of the API.
#ifndef RMQSIM_REPORTS_SWEEP_INTERNAL_H_
#define RMQSIM_REPORTS_SWEEP_INTERNAL_H_

#include <optional>
#include <string>

#include "reports/sweep.h"

namespace rmqsim::reports {

// A JSON number that reads back as the same double: integers as integers, other values in the
// shortest form that round-trips; null for NaN and infinities.
std::string JsonNumber(double v);

// Table cells: integers as integers, other values with 4 significant digits (no exponent).
std::string FormatValue(double v);
// "10.02%"
std::string FormatPercent(double p);

// "producers[0].config.x=false, faults[0].at=5s", or "(no --set)".
std::string PointLabel(const SweepSpec& spec, size_t point);

// The self-contained sweep.html page.
std::string SweepHtml(const SweepSpec& spec, const SweepSummary& summary,
                      const std::optional<Shard>& shard);

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_SWEEP_INTERNAL_H_
