// The bodies of the libFuzzer harnesses (tests/fuzz/*_fuzzer.cc), shared with the Catch2
// regression tests (tests/fuzz/fuzz_regression_test.cc) so a crash input found by the fuzzer is
// replayed through exactly the code that found it.
//
//   FuzzScenarioLoader: the bytes as a .yaml and as a .json scenario (ParseScenario).
//   FuzzRunScenario:    the bytes as a scenario (.json if the first non-blank byte is '{', else
//                       .yaml) under small limits, every compared profile run for at most
//                       kFuzzMaxEvents scheduler events, then the text comparison, timeline JSON,
//                       HTML and trace reports rendered to a null stream; the JSON outputs must
//                       parse.
// Each returns "" when every property held, else a description of the bug. Invariant violations
// inside the model end the process through RMQ_CHECK (the fuzzers make that an abort).
#ifndef RMQSIM_TESTS_FUZZ_FUZZ_TARGETS_H_
#define RMQSIM_TESTS_FUZZ_FUZZ_TARGETS_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "reports/html_timeline.h"
#include "reports/text_report.h"
#include "reports/timeline_json.h"
#include "reports/trace_export.h"
#include "sim/profile.h"
#include "sim/run.h"
#include "sim/scenario_loader.h"

namespace rmqsim::fuzz {

// Per profile run. Small enough that one input takes well under a second under ASan + coverage
// (a shipped scenario's first 2000 events exercise start-up, routing, sends, retries and faults).
inline constexpr uint64_t kFuzzMaxEvents = 2'000;

// A stream that counts and discards what is written.
class NullBuf : public std::streambuf {
 public:
  size_t bytes() const { return bytes_; }

 protected:
  int overflow(int c) override {
    ++bytes_;
    return c == traits_type::eof() ? traits_type::not_eof(c) : c;
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes_ += static_cast<size_t>(n);
    return n;
  }

 private:
  size_t bytes_ = 0;
};

// True if `s` is valid UTF-8 without control characters (C0, DEL, C1: a message line a terminal
// shows as is).
inline bool PrintableUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return false;
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// An InvalidArgument message must be one "PATH:LINE:COL: text" or "PATH: text" line per problem
// (plus a final "... and N more problems" line), each printable UTF-8.
inline std::string CheckLoadStatus(const absl::Status& st, const std::string& path) {
  if (st.ok()) return "";
  if (st.code() != absl::StatusCode::kInvalidArgument) {
    return "loader returned " + st.ToString() + " (only InvalidArgument is a valid answer)";
  }
  for (absl::string_view line : absl::StrSplit(st.message(), '\n')) {
    if (absl::StartsWith(line, "... and ")) continue;
    if (!absl::StartsWith(line, path + ":")) {
      return "error line without the path prefix: '" + std::string(line) + "'";
    }
    if (!PrintableUtf8(std::string_view(line.data(), line.size()))) {
      return "error line with a control character or invalid UTF-8: '" + std::string(line) + "'";
    }
  }
  return "";
}

inline std::string FuzzScenarioLoader(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const char* path : {"fuzz.yaml", "fuzz.json"}) {
    absl::StatusOr<sim::Scenario> s = sim::ParseScenario(text, path);
    std::string bad = CheckLoadStatus(s.status(), path);
    if (!bad.empty()) return bad;
  }
  return "";
}

inline std::string FuzzRunScenario(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t first = text.find_first_not_of(" \t\r\n");
  std::string path = first != std::string_view::npos && text[first] == '{' ? "fuzz.json" : "fuzz.yaml";
  sim::LoadLimits limits;
  limits.max_messages = 1'000;
  limits.max_brokers = 16;
  limits.max_instances = 4;
  limits.max_file_bytes = 1u << 20;
  absl::StatusOr<sim::Scenario> s = sim::ParseScenario(text, path, limits);
  if (!s.ok()) return CheckLoadStatus(s.status(), path);
  std::vector<sim::RunResult> runs;
  for (const std::string& name : s->compare) {
    const sim::Profile* p = sim::FindProfile(name);
    if (p == nullptr) return "the loader accepted unknown profile '" + name + "'";
    sim::RunOptions opts;
    opts.max_events = kFuzzMaxEvents;
    runs.push_back(sim::RunScenario(*s, *p, opts));
  }
  NullBuf null_buf;
  std::ostream null(&null_buf);
  reports::WriteComparison(null, *s, runs, s->seed);
  reports::WriteHtmlTimeline(null, *s, runs, reports::HtmlOptions{});
  std::ostringstream json, trace;
  reports::WriteTimelineJson(json, *s, runs, reports::TimelineOptions{});
  reports::WriteTraceJson(trace, *s, runs, reports::TraceOptions{});
  if (!nlohmann::json::accept(json.str())) return "the timeline JSON does not parse";
  if (!nlohmann::json::accept(trace.str())) return "the trace JSON does not parse";
  return "";
}

}  // namespace rmqsim::fuzz

#endif  // RMQSIM_TESTS_FUZZ_FUZZ_TARGETS_H_
