// Reports are written safely: a write that fails (no such folder, a folder in the way, the disk
// filling up mid-write) is an error with exit status 2 and leaves no file, neither the report nor
// its temporary; a run killed mid-write never leaves half a report in place of the old one. And
// the JSON and trace outputs are valid (and valid UTF-8) whatever the free-text fields contain.
#include <algorithm>
#include <chrono>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "nlohmann/json.hpp"
#include "reports/timeline_json.h"
#include "reports/trace_export.h"
#include "sim/profile.h"
#include "sim/run.h"
#include "sim/scenario_loader.h"
#include "tests/child_process.h"
#include "tests/test_util.h"

namespace {

namespace fs = std::filesystem;
using rmqsim::testing::ChildOptions;
using rmqsim::testing::ChildResult;
using rmqsim::testing::RunChild;

std::string Scratch(const std::string& name) {
  std::string dir = std::string(RMQSIM_BINARY_DIR) + "/output-safety/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t FilesIn(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

const char kScenario[] = "scenarios/broker-down-mid-async-send.yaml";

TEST_CASE("output: a report into a missing folder is an error and writes nothing", "[output]") {
  std::string dir = Scratch("missing");
  ChildResult r = RunChild({RMQSIM_BINARY, "run", kScenario, "--quiet", "--json",
                            dir + "/no/such/folder/out.json"});
  INFO(r.out);
  CHECK(r.exit_status == 2);
  CHECK(r.out.find(dir + "/no/such/folder/out.json: cannot write file: No such file or directory") !=
        std::string::npos);
  CHECK(FilesIn(dir) == 0);
}

TEST_CASE("output: a report whose path is a folder or under a file is refused, nothing left",
          "[output]") {
  std::string dir = Scratch("in-the-way");
  fs::create_directories(dir + "/taken.json");
  std::ofstream(dir + "/plain-file") << "x";
  ChildResult a = RunChild({RMQSIM_BINARY, "run", kScenario, "--quiet", "--json", dir + "/taken.json"});
  INFO(a.out);
  CHECK(a.exit_status == 2);
  CHECK(a.out.find(dir + "/taken.json: cannot rename into place") != std::string::npos);
  ChildResult b =
      RunChild({RMQSIM_BINARY, "run", kScenario, "--quiet", "--trace", dir + "/plain-file/t.json"});
  INFO(b.out);
  CHECK(b.exit_status == 2);
  CHECK(b.out.find("cannot write file") != std::string::npos);
  CHECK(FilesIn(dir) == 2);  // the folder and the file that were there; no temporary left
  CHECK(fs::is_empty(dir + "/taken.json"));
}

TEST_CASE("output: the disk filling up mid-write leaves no file and no temporary", "[output]") {
  std::string dir = Scratch("full");
  ChildOptions opts;
  opts.max_file_bytes = 64 * 1024;  // the report is far larger: writes fail with EFBIG
  opts.ignore_sigxfsz = true;
  ChildResult r = RunChild({RMQSIM_BINARY, "run", kScenario, "--quiet", "--json", dir + "/out.json"}, opts);
  INFO(r.out);
  CHECK(r.exit_status == 2);
  CHECK(r.out.find(dir + "/out.json: write failed") != std::string::npos);
  CHECK(FilesIn(dir) == 0);
}

TEST_CASE("output: a run killed mid-write leaves the previous report intact", "[output]") {
  std::string dir = Scratch("killed");
  std::string out = dir + "/out.html";
  std::ofstream(out) << "previous report";
  ChildOptions opts;
  opts.max_file_bytes = 64 * 1024;  // SIGXFSZ (default action) kills rmqsim in the middle
  ChildResult r = RunChild({RMQSIM_BINARY, "run", kScenario, "--quiet", "--html", out}, opts);
  CHECK(r.signal == SIGXFSZ);
  CHECK(Slurp(out) == "previous report");
  CHECK(FilesIn(dir) == 1);  // the signal handler removed the temporary before dying
}

bool HasTemporary(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp-") != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("output: SIGTERM or SIGINT at any moment leaves each report old or complete, no temporary",
          "[output]") {
  // The largest shipped run (13 MB of timeline JSON): interrupted at a spread of moments across
  // one uninterrupted run's wall time T (this build, this machine's load), from the simulation
  // itself to the middle of each of the three writes, to after the end.
  auto args = [](const std::vector<std::string>& outs) {
    return std::vector<std::string>{RMQSIM_BINARY, "run", "scenarios/slow-broker-async-flood.yaml",
                                    "--quiet", "--json", outs[0], "--html", outs[1], "--trace", outs[2]};
  };
  std::string base = Scratch("uninterrupted");
  auto start = std::chrono::steady_clock::now();
  REQUIRE(RunChild(args({base + "/a.json", base + "/a.html", base + "/a.trace.json"})).exit_status == 0);
  const double full_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  int interrupted = 0, completed_some = 0, k = 0;
  for (double fraction : {0.05, 0.3, 0.5, 0.65, 0.75, 0.85, 0.92, 1.0, 3.0}) {
    std::string dir = Scratch("interrupted-" + std::to_string(k++));
    const std::vector<std::string> outs = {dir + "/out.json", dir + "/out.html", dir + "/out.trace.json"};
    for (const std::string& o : outs) std::ofstream(o) << "previous report";
    ChildOptions opts;
    opts.signal_after_ms = std::max(1, static_cast<int>(fraction * full_ms));
    opts.signal_to_send = k % 2 == 0 ? SIGTERM : SIGINT;
    ChildResult r = RunChild(args(outs), opts);
    INFO("interrupted after " << opts.signal_after_ms << " ms of " << full_ms << "; " << r.out);
    if (r.signal != 0) {
      CHECK(r.signal == opts.signal_to_send);
      ++interrupted;
    } else {
      CHECK(r.exit_status == 0);
    }
    CHECK_FALSE(HasTemporary(dir));
    CHECK(FilesIn(dir) == 3);
    for (const std::string& o : outs) {
      INFO(o);
      std::string text = Slurp(o);
      if (text == "previous report") continue;
      ++completed_some;
      if (o.ends_with(".html")) {
        CHECK(text.ends_with("</html>\n"));
      } else {
        CHECK(nlohmann::json::accept(text));
      }
    }
  }
  // The spread must have caught the run both before its writes and after some of them.
  CHECK(interrupted > 0);
  CHECK(completed_some > 0);
}

TEST_CASE("output: a device is written in place and a symlink stays a link", "[output]") {
  // Found by hand: `--json /dev/stdout` run as root renamed a regular file over /dev/stdout. Here
  // through symlinks in the scratch folder, so a regression replaces only those links.
  std::string dir = Scratch("links");
  fs::create_symlink("/dev/null", dir + "/null-link.json");
  fs::create_symlink(dir + "/real.json", dir + "/file-link.json");
  std::ofstream(dir + "/real.json") << "previous report";
  ChildResult r = RunChild({RMQSIM_BINARY, "run", kScenario, "--quiet", "--json", dir + "/null-link.json",
                            "--trace", dir + "/file-link.json"});
  INFO(r.out);
  CHECK(r.exit_status == 0);
  CHECK(r.out.empty());
  CHECK(fs::is_symlink(dir + "/null-link.json"));
  CHECK(fs::read_symlink(dir + "/null-link.json") == "/dev/null");
  CHECK(fs::is_character_file("/dev/null"));
  CHECK(fs::is_symlink(dir + "/file-link.json"));
  CHECK(nlohmann::json::parse(Slurp(dir + "/real.json"))["otherData"]["scenario"] ==
        "broker-down-mid-async-send");
  CHECK(FilesIn(dir) == 3);  // no temporary left beside the links or the file
}

TEST_CASE("output: an output naming the scenario, another output or a link to either is refused",
          "[output]") {
  std::string dir = Scratch("same-path");
  std::string scenario = dir + "/s.yaml";
  fs::copy_file(std::string(RMQSIM_SOURCE_DIR) + "/" + kScenario, scenario);
  std::string original = Slurp(scenario);
  fs::create_symlink(scenario, dir + "/link.yaml");
  fs::create_hard_link(scenario, dir + "/hard.yaml");
  for (const char* flag : {"--json", "--html", "--trace"}) {
    for (const std::string& target : {scenario, dir + "/link.yaml", dir + "/hard.yaml",
                                      dir + "/../same-path/s.yaml"}) {
      ChildResult r = RunChild({RMQSIM_BINARY, "run", scenario, "--quiet", flag, target});
      INFO(flag << " " << target << ": " << r.out);
      CHECK(r.exit_status == 2);
      CHECK(r.out == target + ": refusing to overwrite the scenario file with a report\n");
    }
  }
  ChildResult two = RunChild({RMQSIM_BINARY, "run", scenario, "--quiet", "--json", dir + "/r.out",
                              "--trace", dir + "/r.out"});
  CHECK(two.exit_status == 2);
  CHECK(two.out == dir + "/r.out: --json and --trace name the same file\n");
  ChildResult junit = RunChild({RMQSIM_BINARY, "check", scenario, "--junit", dir + "/hard.yaml"});
  CHECK(junit.exit_status == 2);
  CHECK(junit.out == dir + "/hard.yaml: refusing to overwrite a scenario file with the JUnit report\n");
  CHECK(Slurp(scenario) == original);
  CHECK(FilesIn(dir) == 3);  // s.yaml, link.yaml, hard.yaml: nothing written
}

// Free text with everything a writer can get wrong: quotes, backslashes, control characters, a
// NUL-free escape of every C0 character, markup, line and paragraph separators, astral plane
// characters, a lone surrogate escape and bytes that are not UTF-8.
const std::string kNasty =
    std::string("q\"uo'te \\back\\slash </script><!-- & \t\r\n \x01\x02\x1f\x7f ") +
    "\xe2\x80\xa8\xe2\x80\xa9 \xf0\x9f\x90\x87 \xff\xfe \xc0\xaf \xed\xa0\x80 end";

TEST_CASE("output: JSON and trace are valid whatever the title, description and references hold",
          "[output]") {
  absl::StatusOr<rmqsim::sim::Scenario> s =
      rmqsim::sim::LoadScenarioFile(std::string(RMQSIM_SOURCE_DIR) + "/" + kScenario);
  REQUIRE_OK(s);
  // Bypass the loader (which refuses non-UTF-8 files): the writers must cope on their own.
  s->title = kNasty;
  s->description = kNasty + kNasty;
  s->references = {kNasty, "", std::string(1, '\x01')};
  s->id = kNasty;
  // And every name that reaches events, lanes and summary keys: brokers, name servers, topic,
  // producer group, consistently wherever they are referred to.
  auto nasty = [](const std::string& name) { return kNasty + "|" + name; };
  for (auto& b : s->cluster.brokers) b.name = nasty(b.name);
  for (auto& ns : s->cluster.nameservers) ns = nasty(ns);
  for (auto& t : s->cluster.topics) {
    t.name = nasty(t.name);
    for (auto& tb : t.brokers) tb.broker = nasty(tb.broker);
  }
  for (auto& p : s->producers) {
    p.group = nasty(p.group);
    for (auto& w : p.send) w.topic = nasty(w.topic);
  }
  for (auto& f : s->faults) f.target.name = nasty(f.target.name);
  std::vector<rmqsim::sim::RunResult> runs;
  rmqsim::sim::RunOptions opts;
  for (const std::string& p : s->compare) runs.push_back(RunScenario(*s, *rmqsim::sim::FindProfile(p), opts));
  rmqsim::reports::TimelineOptions topts;
  topts.generator = kNasty;
  std::ostringstream json, trace;
  rmqsim::reports::WriteTimelineJson(json, *s, runs, topts);
  rmqsim::reports::TraceOptions tr;
  tr.generator = kNasty;
  rmqsim::reports::WriteTraceJson(trace, *s, runs, tr);
  // nlohmann::json::parse rejects invalid UTF-8 and unescaped control characters.
  nlohmann::json j;
  REQUIRE_NOTHROW(j = nlohmann::json::parse(json.str()));
  REQUIRE_NOTHROW(nlohmann::json::parse(trace.str()));
  std::string title = j["scenario"]["title"];
  CHECK(title.find("q\"uo'te \\back\\slash </script><!-- & \t\r\n \x01\x02\x1f\x7f ") == 0);
  CHECK(title.find("\xf0\x9f\x90\x87") != std::string::npos);  // valid UTF-8 is kept
  CHECK(title.find('\xff') == std::string::npos);              // invalid bytes are replaced
  CHECK(title.find("\xef\xbf\xbd") != std::string::npos);      // by U+FFFD
  // The renamed run is the same run: the names made it through the model into the outputs.
  const nlohmann::json& run0 = j["runs"][0];
  CHECK(run0["summary"]["messages"] == 500);
  std::string broker_key = run0["summary"]["stored_by_broker"].begin().key();
  CHECK(broker_key.find("q\"uo'te") == 0);
  CHECK(broker_key.ends_with("|broker-a"));
  std::string producer = run0["messages"][0]["producer"];
  CHECK(producer.find("|pg-order#0") != std::string::npos);
  // The timeline keeps one event or message per line: no raw newline inside a string.
  std::string head = json.str().substr(0, 4096);
  CHECK(std::none_of(head.begin(), head.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 && c != '\n';
  }));
}

TEST_CASE("output: hostile free text from a scenario file round-trips through the CLI", "[output]") {
  std::string dir = Scratch("free-text");
  std::string path = dir + "/nasty.json";
  // JSON escapes reach every character the loader lets through: controls, quotes, markup, U+2028.
  std::ofstream(path) << R"({"scenario": "nasty", "seed": 3, "duration": "5s",
    "title": "a\"b\\c\u0001\u001f\u007f</script>\u2028\ud83d\udc07 \t end",
    "description": "line1\nline2\r\n<img src=x onerror=alert(1)>",
    "references": ["\"", "\\", "\u0001x"],
    "cluster": {"brokers": [{"name": "broker-a"}], "topics": [{"name": "T"}]},
    "producers": [{"group": "pg", "send": [{"topic": "T", "mode": "sync", "start": "1s", "rate": "10/s", "count": 5}]}]})";
  ChildResult r = RunChild({RMQSIM_BINARY, "run", path, "--quiet", "--json", dir + "/out.json",
                            "--trace", dir + "/out.trace.json"});
  INFO(r.out);
  REQUIRE(r.exit_status == 0);
  nlohmann::json j;
  REQUIRE_NOTHROW(j = nlohmann::json::parse(Slurp(dir + "/out.json")));
  REQUIRE_NOTHROW(nlohmann::json::parse(Slurp(dir + "/out.trace.json")));
  CHECK(j["scenario"]["title"] == "a\"b\\c\x01\x1f\x7f</script>\xe2\x80\xa8\xf0\x9f\x90\x87 \t end");
  CHECK(j["scenario"]["description"] == "line1\nline2\r\n<img src=x onerror=alert(1)>");
}

}  // namespace
