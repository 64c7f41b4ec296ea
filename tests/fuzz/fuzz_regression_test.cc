// The fuzz harnesses' bodies (fuzz_targets.h) as ordinary tests: every committed corpus input and
// every crash the fuzzers found (tests/fuzz/regressions/, one test per bug, named after it) must
// load or be refused cleanly, run within the event budget and render valid reports.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/scenario_loader.h"
#include "tests/fuzz/fuzz_targets.h"

namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Loader(const std::string& data) {
  return rmqsim::fuzz::FuzzScenarioLoader(reinterpret_cast<const uint8_t*>(data.data()), data.size());
}
std::string Run(const std::string& data) {
  return rmqsim::fuzz::FuzzRunScenario(reinterpret_cast<const uint8_t*>(data.data()), data.size());
}

// Replays tests/fuzz/regressions/NAME through both harnesses.
void Replay(const std::string& name) {
  fs::path p = fs::path(RMQSIM_SOURCE_DIR) / "tests/fuzz/regressions" / name;
  REQUIRE(fs::exists(p));
  std::string data = Slurp(p);
  CHECK(Loader(data).empty());
  CHECK(Run(data).empty());
}

TEST_CASE("fuzz corpus: every committed input passes the loader and run harnesses", "[fuzz]") {
  size_t n = 0;
  for (const char* harness : {"scenario_loader", "run_scenario"}) {
    fs::path dir = fs::path(RMQSIM_SOURCE_DIR) / "tests/fuzz/corpus" / harness;
    if (!fs::exists(dir)) continue;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      INFO(f.string());
      std::string data = Slurp(f);
      CHECK(Loader(data).empty());
      if (std::string(harness) == "run_scenario") CHECK(Run(data).empty());
      ++n;
    }
  }
  CHECK(n > 0);
}

// One test per crash the fuzzers found, named after its file in tests/fuzz/regressions/.

TEST_CASE("fuzz regression json-escape-before-line-break: a backslash ending a line in a JSON "
          "string gives a one-line message",
          "[fuzz]") {
  // scenario_loader harness, 2026-11-21: the message copied the line break after the backslash.
  Replay("json-escape-before-line-break");
  absl::StatusOr<rmqsim::sim::Scenario> s = rmqsim::sim::ParseScenario("{\"title\": \"a\\\n\"}", "x.json");
  CHECK(s.status().message() == "x.json:1:14: JSON syntax error: invalid escape: '\\' followed by byte 0x0A");
  s = rmqsim::sim::ParseScenario("{\"title\": \"a\\\xc3\xa9\"}", "x.json");
  CHECK(s.status().message() == "x.json:1:14: JSON syntax error: invalid escape: '\\' followed by byte 0xC3");
  s = rmqsim::sim::ParseScenario("{\"title\": \"a\\q\"}", "x.json");
  CHECK(s.status().message() == "x.json:1:14: JSON syntax error: invalid escape '\\q'");
}

TEST_CASE("fuzz regression control-character-in-key-path: a key holding a control character is "
          "escaped in every message path",
          "[fuzz]") {
  // scenario_loader harness, 2026-11-21 (once messages were also checked for control characters):
  // "expect.4.7ns9.3.retrie\x04s: ..." was printed with the raw byte, and likewise \f and \x1D.
  Replay("control-character-in-key-path-eot");
  Replay("control-character-in-key-path-formfeed");
  Replay("control-character-in-key-path-gs");
  absl::StatusOr<rmqsim::sim::Scenario> s =
      rmqsim::sim::ParseScenario("expect:\n  all:\n    \"a\\tb\\u007f\": [1]\n", "x.yaml");
  std::string message(s.status().message());
  CHECK(message.find("x.yaml:3:5: expect.all: unknown metric 'a\\tb\\x7F'") != std::string::npos);
  CHECK(message.find("x.yaml:3:19: expect.all.a\\x09b\\x7F: expected a number or a comparison such as "
                     "\">= 1\", got a list") != std::string::npos);
}

TEST_CASE("fuzz regression yaml-unknown-escape: yaml-cpp's message about an unknown escape is "
          "printable",
          "[fuzz]") {
  // scenario_loader harness, 2026-11-21: "unknown escape character: X" carried the byte after the
  // backslash as it was: NUL at the end of the file, a control character, or one byte of a
  // multi-byte character (invalid UTF-8).
  for (int i = 1; i <= 4; ++i) Replay("yaml-unknown-escape-" + std::to_string(i));
  absl::StatusOr<rmqsim::sim::Scenario> s = rmqsim::sim::ParseScenario("title: \"a\\\x01\"\n", "x.yaml");
  CHECK(s.status().message() == "x.yaml:1:12: YAML syntax error: unknown escape character: \\x01");
  s = rmqsim::sim::ParseScenario("title: \"a\\\xc3\xa9\"\n", "x.yaml");
  CHECK(s.status().message() == "x.yaml:1:12: YAML syntax error: unknown escape character: \\xC3");
}

TEST_CASE("fuzz regression yaml-latin1-escape: \\_ and \\N in double-quoted YAML are U+00A0 and "
          "U+0085, and a C1 control character is named in messages",
          "[fuzz]") {
  // scenario_loader harness, 2026-11-21: yaml-cpp decodes "\_" to the lone byte 0xA0 (and "\N"
  // to 0x85), so "unknown key 'servic\xA0time'" was invalid UTF-8.
  Replay("yaml-latin1-escape-nbsp");
  absl::StatusOr<rmqsim::sim::Scenario> s =
      rmqsim::sim::ParseScenario("scenario: x\n\"servic\\_time\": 1\n\"a\\Nb\": 2\n", "x.yaml");
  std::string message(s.status().message());
  CHECK(message.find("x.yaml:2:1: unknown key 'servic\xC2\xA0time'") != std::string::npos);
  CHECK(message.find("x.yaml:3:1: unknown key 'a\\u0085b'") != std::string::npos);
  // In a key path too: the control character is named, the rest of the key kept.
  s = rmqsim::sim::ParseScenario("expect:\n  all:\n    \"a\\x85b\": [1]\n", "x.yaml");
  message = std::string(s.status().message());
  CHECK(message.find("x.yaml:3:5: expect.all: unknown metric 'a\\u0085b'") != std::string::npos);
  CHECK(message.find("expect.all.a\\u0085b: expected a number") != std::string::npos);
}

}  // namespace
