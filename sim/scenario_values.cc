#include "sim/scenario_values.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "sim/scenario_tree.h"

namespace rmqsim::sim::loader {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses digits into `*out`; false on overflow.
bool DigitsToUint64(std::string_view digits, uint64_t* out) {
  uint64_t v = 0;
  for (char c : digits) {
    if (__builtin_mul_overflow(v, 10, &v) ||
        __builtin_add_overflow(v, static_cast<uint64_t>(c - '0'), &v)) {
      return false;
    }
  }
  *out = v;
  return true;
}

bool Pow10(int k, uint64_t* out) {
  uint64_t v = 1;
  for (int i = 0; i < k; ++i) {
    if (__builtin_mul_overflow(v, 10, &v)) return false;
  }
  *out = v;
  return true;
}

// "12.5" into digits "125" and 1 fraction digit; false if it is not a plain decimal.
bool SplitDecimal(std::string_view text, std::string* digits, int* fraction_digits) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() && frac.empty()) return false;
  if (!whole.empty() && !AllDigits(whole)) return false;
  if (dot != std::string_view::npos && !AllDigits(frac)) return false;
  *digits = Cat(whole, frac);
  *fraction_digits = static_cast<int>(frac.size());
  return true;
}

absl::StatusOr<SimDuration> MillisText(std::string_view text) {
  uint64_t ms;
  if (!DigitsToUint64(text, &ms) || ms > static_cast<uint64_t>(INT64_MAX / 1000000)) {
    return absl::InvalidArgumentError(Cat("duration ", Quote(text), " is too large"));
  }
  return SimDuration::Millis(static_cast<int64_t>(ms));
}

std::string SnakeCase(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c))) {
      if (!out.empty()) out += '_';
      out += absl::ascii_tolower(static_cast<unsigned char>(c));
    } else {
      out += c == '-' ? '_' : absl::ascii_tolower(static_cast<unsigned char>(c));
    }
  }
  return out;
}

}  // namespace

IntParse ParseInt64(std::string_view text, int64_t* out) {
  bool negative = !text.empty() && text[0] == '-';
  std::string_view digits = text.substr(!text.empty() && (text[0] == '-' || text[0] == '+'));
  uint64_t magnitude;
  if (!AllDigits(digits)) return IntParse::kNotInteger;
  if (!DigitsToUint64(digits, &magnitude)) return IntParse::kOutOfRange;
  if (!negative && magnitude > static_cast<uint64_t>(INT64_MAX)) return IntParse::kOutOfRange;
  if (negative && magnitude > static_cast<uint64_t>(INT64_MAX) + 1) return IntParse::kOutOfRange;
  *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return IntParse::kOk;
}

IntParse ParseUint64(std::string_view text, uint64_t* out) {
  std::string_view digits = text.substr(!text.empty() && text[0] == '+');
  if (!AllDigits(digits)) return IntParse::kNotInteger;
  return DigitsToUint64(digits, out) ? IntParse::kOk : IntParse::kOutOfRange;
}

absl::StatusOr<SimDuration> ParseDurationText(std::string_view text) {
  if (!text.empty() && text[0] == '-') {
    return absl::InvalidArgumentError(
        Cat("a duration must not be negative (got ", Quote(text), ")"));
  }
  if (AllDigits(text)) return MillisText(text);
  absl::Duration d;
  if (!absl::ParseDuration(absl::string_view(text.data(), text.size()), &d)) {
    // absl refuses a number that does not fit in 64 bits ("9999999999999999999s"): say so.
    size_t run = 0, longest = 0;
    for (char c : text) {
      run = absl::ascii_isdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    if (longest >= 19) {
      return absl::InvalidArgumentError(Cat("duration ", Quote(text), " is too large"));
    }
    return absl::InvalidArgumentError(
        Cat("invalid duration ", Quote(text),
            "; expected e.g. 250ms, 1.5s, 1m30s, or a whole number of milliseconds"));
  }
  SimDuration out;
  if (!SimDuration::FromAbsl(d, &out)) {
    return absl::InvalidArgumentError(Cat("duration ", Quote(text), " is too large"));
  }
  if (out < SimDuration::Zero()) {
    return absl::InvalidArgumentError(
        Cat("a duration must not be negative (got ", Quote(text), ")"));
  }
  return out;
}

absl::StatusOr<Rate> ParseRateText(std::string_view text) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(
        Cat("invalid rate ", Quote(text), "; expected N/s, N/m or N/h, e.g. 10/s or 0.5/s"));
  };
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return invalid();
  std::string_view n = text.substr(0, slash), unit = text.substr(slash + 1);
  int64_t unit_s = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  if (unit_s == 0) return invalid();
  if (!n.empty() && n[0] == '-') {
    return absl::InvalidArgumentError(Cat("a rate must be greater than 0 (got ", Quote(text), ")"));
  }
  std::string digits;
  int k;
  if (!SplitDecimal(n, &digits, &k)) return invalid();
  Rate rate;
  uint64_t scale;
  if (!DigitsToUint64(digits, &rate.count_scaled) || !Pow10(k, &scale) ||
      __builtin_mul_overflow(static_cast<uint64_t>(unit_s) * 1000000000u, scale,
                             &rate.unit_ns_scaled)) {
    return absl::InvalidArgumentError(
        Cat("rate ", Quote(text), " is out of range (too many digits or decimal places)"));
  }
  if (rate.count_scaled == 0) {
    return absl::InvalidArgumentError(Cat("a rate must be greater than 0 (got ", Quote(text), ")"));
  }
  return rate;
}

absl::StatusOr<Ratio> ParseRatioText(std::string_view text) {
  std::string digits;
  int k;
  Ratio r;
  if (!SplitDecimal(text, &digits, &k) || !DigitsToUint64(digits, &r.num) || !Pow10(k, &r.den)) {
    return absl::InvalidArgumentError(
        Cat("expected a ratio between 0 and 1 such as 0.25, got ", Quote(text)));
  }
  if (r.num > r.den) {
    return absl::InvalidArgumentError(
        Cat("a ratio must be between 0 and 1 (got ", Quote(text), ")"));
  }
  return r;
}

std::optional<double> ParseNumberText(std::string_view text) {
  if (text.empty() ||
      !(std::isdigit(static_cast<unsigned char>(text.back())) || text.back() == '.')) {
    return std::nullopt;  // rejects inf, nan, trailing junk
  }
  double v;
  if (!absl::SimpleAtod(absl::string_view(text.data(), text.size()), &v) || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 127) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '%' ||
           c == '-';
  });
}

bool IsValidScenarioId(std::string_view id) {
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
  return !id.empty() && id[0] != '-' && std::all_of(id.begin(), id.end(), ok);
}

const std::vector<ResponseCodeName>& ResponseCodeNames() {
  // ResponseCode.java / RemotingSysResponseCode.java, rocketmq-all-4.9.x; GO_AWAY is 5.3.3's (a
  // server shutting down; 4.9.x clients see an unknown broker code).
  static const std::vector<ResponseCodeName> codes = {
      {"SYSTEM_ERROR", 1},         {"SYSTEM_BUSY", 2},          {"FLUSH_DISK_TIMEOUT", 10},
      {"SLAVE_NOT_AVAILABLE", 11}, {"FLUSH_SLAVE_TIMEOUT", 12}, {"SERVICE_NOT_AVAILABLE", 14},
      {"NO_PERMISSION", 16},       {"TOPIC_NOT_EXIST", 17},     {"GO_AWAY", 1500},
  };
  return codes;
}

std::optional<int32_t> ResponseCodeByName(std::string_view name) {
  for (const ResponseCodeName& c : ResponseCodeNames()) {
    if (c.name == name) return c.code;
  }
  return std::nullopt;
}

std::string ResponseCodeText(int32_t code) {
  for (const ResponseCodeName& c : ResponseCodeNames()) {
    if (c.code == code) return std::string(c.name);
  }
  return Cat(code);
}

int EditDistance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates) {
  if (word.size() > 200) return "";
  auto lower = [](std::string_view v) {
    return absl::AsciiStrToLower(absl::string_view(v.data(), v.size()));
  };
  std::string lower_word = lower(word), snake = SnakeCase(word);
  std::string_view best;
  int best_distance = 3;
  for (std::string_view c : candidates) {
    std::string lower_c = lower(c);
    int dist = snake == lower_c ? 0 : EditDistance(lower_word, lower_c);
    // A near miss: at most 2 edits, and fewer than half the letters of the shorter word.
    bool near = dist <= 2 && 2 * dist < static_cast<int>(std::min(word.size(), c.size()));
    if (near && dist < best_distance) {
      best = c;
      best_distance = dist;
    }
  }
  return best.empty() ? "" : Cat(" (did you mean ", Quote(best), "?)");
}

}  // namespace rmqsim::sim::loader
