// Internals of the scenario loader: the value syntaxes of the format (durations, rates, ratios,
// names, response codes) as pure functions of the text, and "did you mean" suggestions. Errors
// are InvalidArgument statuses whose message describes the value, without a position.
#ifndef RMQSIM_SIM_SCENARIO_VALUES_H_
#define RMQSIM_SIM_SCENARIO_VALUES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/scenario.h"

namespace rmqsim::sim::loader {

enum class IntParse { kOk, kNotInteger, kOutOfRange };
// Decimal integer with an optional sign.
IntParse ParseInt64(std::string_view text, int64_t* out);
// Decimal integer without a minus sign, 0 .. 2^64-1.
IntParse ParseUint64(std::string_view text, uint64_t* out);

// `250ms`, `1m30s` (absl::ParseDuration), or a whole number of milliseconds. Not negative.
absl::StatusOr<SimDuration> ParseDurationText(std::string_view text);
// `N/s`, `N/m`, `N/h`, N > 0 possibly fractional; kept exact (see sim::Rate).
absl::StatusOr<Rate> ParseRateText(std::string_view text);
// A decimal number in [0, 1], kept exact: `0.25` is 25/100.
absl::StatusOr<Ratio> ParseRatioText(std::string_view text);
// A finite decimal number (expectation values).
std::optional<double> ParseNumberText(std::string_view text);

// [A-Za-z0-9_.%-]{1,127}
bool IsValidName(std::string_view name);
// [a-z0-9][a-z0-9-]*
bool IsValidScenarioId(std::string_view id);

// Broker response codes that faults and retry_response_codes may name.
struct ResponseCodeName {
  std::string_view name;
  int32_t code;
};
const std::vector<ResponseCodeName>& ResponseCodeNames();
std::optional<int32_t> ResponseCodeByName(std::string_view name);
std::string ResponseCodeText(int32_t code);  // its name if it has one, else the number

// Optimal string alignment distance.
int EditDistance(std::string_view a, std::string_view b);
// " (did you mean 'x'?)" for the closest near miss among `candidates`, or "".
std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace rmqsim::sim::loader

#endif  // RMQSIM_SIM_SCENARIO_VALUES_H_
