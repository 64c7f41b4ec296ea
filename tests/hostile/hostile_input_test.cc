// Hostile input: every case is a file made here at run time, given to the rmqsim binary as a user
// would. Each must be refused with exactly the expected `PATH:LINE:COL: message` lines, exit
// status 2, nothing run and nothing written, within rmqsim's memory budget (256 MB of peak RSS,
// measured with wait4 on the child) and in seconds.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/child_process.h"

namespace {

namespace fs = std::filesystem;
using rmqsim::testing::ChildResult;
using rmqsim::testing::RunChild;

std::string Scratch() {
  std::string dir = std::string(RMQSIM_BINARY_DIR) + "/hostile-input";
  fs::create_directories(dir);
  return dir;
}

std::string Write(const std::string& name, const std::string& text) {
  std::string path = Scratch() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

const char kOneProducer[] =
    "producers:\n  - {group: pg, send: [{topic: T, start: 1s, rate: 1/s, count: 1}]}\n";

// A valid scenario (lines 1-8) but for what the caller changes: the hostile part must be the only
// problem. Appended text starts on line 9.
std::string Scenario(const std::string& duration = "10s", const std::string& broker = "{name: broker-a}",
                     const std::string& producers = kOneProducer) {
  return "scenario: hostile\ntitle: hostile\nduration: " + duration + "\ncluster:\n  brokers: [" +
         broker + "]\n  topics: [{name: T}]\n" + producers;
}

// `rmqsim validate PATH` and `rmqsim run PATH --json OUT` must both print exactly `expect`
// (every line prefixed with PATH), exit 2 within the memory budget; the run writes nothing.
void ExpectRefused(const std::string& path, const std::string& expect) {
  INFO(path);
  std::string want;
  for (size_t start = 0; start < expect.size();) {
    size_t end = expect.find('\n', start);
    if (end == std::string::npos) end = expect.size();
    want += path + expect.substr(start, end - start) + "\n";
    start = end + 1;
  }
  ChildResult v = RunChild({RMQSIM_BINARY, "validate", path});
  INFO("validate said: " << v.out.substr(0, 2000));
  CHECK(v.exit_status == 2);
  CHECK(v.out == want);
  CHECK(v.max_rss_mb() < rmqsim::testing::kMemoryBudgetMb);
  std::string out = path + ".out.json";
  fs::remove(out);
  ChildResult r = RunChild({RMQSIM_BINARY, "run", path, "--json", out});
  INFO("run said: " << r.out.substr(0, 2000));
  CHECK(r.exit_status == 2);
  CHECK(r.out == want);
  CHECK_FALSE(fs::exists(out));
  CHECK(r.max_rss_mb() < rmqsim::testing::kMemoryBudgetMb);
}

TEST_CASE("hostile: YAML alias bombs (billion laughs) are counted, not expanded", "[hostile]") {
  // 10^13 nodes if expanded, through sequences and through merge keys.
  std::string seqs = Scenario() + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  std::string maps = Scenario() + "m0: &m0 {k: [x, x, x, x, x, x, x, x, x, x]}\n";
  for (int i = 1; i <= 12; ++i) {
    seqs += absl::StrCat("a", i, ": &a", i, " [");
    maps += absl::StrCat("m", i, ": &m", i, " {");
    for (int k = 0; k < 10; ++k) {
      seqs += absl::StrCat(k ? ", " : "", "*a", i - 1);
      maps += absl::StrCat(k ? ", " : "", "k", k, ": *m", i - 1);
    }
    seqs += "]\n";
    maps += "}\n";
  }
  ExpectRefused(Write("alias-bomb.yaml", seqs), ":14:45: the document has more than 1000000 nodes once aliases are expanded; the limit is 1000000");
  ExpectRefused(Write("alias-bomb-maps.yaml", maps), ":14:59: the document has more than 1000000 nodes once aliases are expanded; the limit is 1000000");
}

TEST_CASE("hostile: deep nesting in YAML and JSON", "[hostile]") {
  const int depth = 100000;
  ExpectRefused(Write("deep.yaml", Scenario() + "x: " + std::string(depth, '[') + std::string(depth, ']') + "\n"),
                ":9:67: nesting is deeper than 64 levels; the limit is 64");
  ExpectRefused(Write("deep.json", "{\"x\": " + std::string(depth, '[') + std::string(depth, ']') + "}"),
                ":1:70: nesting is deeper than 64 levels; the limit is 64");
  std::string maps;
  for (int i = 0; i < depth; ++i) maps += "{\"a\":";
  ExpectRefused(Write("deep-maps.json", maps + "1" + std::string(depth, '}')),
                ":1:321: nesting is deeper than 64 levels; the limit is 64");
}

TEST_CASE("hostile: huge numbers and counts", "[hostile]") {
  const std::string digits400 = "1" + std::string(400, '0');
  ExpectRefused(Write("huge-seed.yaml", Scenario() + "seed: " + digits400 + "\n"), ":9:7: seed: must be at most 18446744073709551615 (got " + digits400 + ")");
  ExpectRefused(Write("huge-queues.yaml", Scenario("10s", "{name: broker-a, queues: 99999999999999999999999}")),
                ":5:38: cluster.brokers[0].queues: must be between 1 and 1024 (got 99999999999999999999999)");
  ExpectRefused(Write("huge-count.yaml",
                      Scenario("10s", "{name: broker-a}",
                               "producers:\n  - {group: pg, send: [{topic: T, start: 1s, rate: 10/s, "
                               "count: 9223372036854775807}]}\n")),
                ":7:1: producers: the scenario plans 9223372036854775807 messages; the limit is 50000000 (--max-messages)");
  ExpectRefused(Write("huge-instances.yaml",
                      Scenario("10s", "{name: broker-a}",
                               "producers:\n  - {group: pg, instances: 2147483648, send: [{topic: T, "
                               "start: 1s, rate: 1/s, count: 1}]}\n")),
                ":8:28: producers[0].instances: must be between 1 and 10000 (got 2147483648)");
  ExpectRefused(Write("huge-float.json",
                      "{\"scenario\": \"hostile\", \"title\": \"t\", \"duration\": \"10s\", \"seed\": 1e999999,\n"
                      " \"cluster\": {\"brokers\": [{\"name\": \"broker-a\"}], \"topics\": [{\"name\": \"T\"}]},\n"
                      " \"producers\": [{\"group\": \"pg\", \"send\": [{\"topic\": \"T\", \"start\": \"1s\", "
                      "\"rate\": \"1e308/s\", \"count\": 1e30}]}]}\n"),
                ":1:66: seed: expected an unsigned 64-bit integer, got '1e999999'\n"
                ":3:79: producers[0].send[0].rate: invalid rate '1e308/s'; expected N/s, N/m or N/h, e.g. 10/s or 0.5/s\n"
                ":3:99: producers[0].send[0].count: expected an integer, got '1e30'");
}

TEST_CASE("hostile: a 100 MB file is refused after reading at most the limit", "[hostile]") {
  std::string path = Scratch() + "/huge.yaml";
  {
    std::ofstream f(path, std::ios::binary);
    f << Scenario() << "description: |\n";
    std::string line = "  " + std::string(1022, 'x') + "\n";
    for (int i = 0; i < 100 * 1024; ++i) f << line;
  }
  REQUIRE(fs::file_size(path) > 100u * 1000 * 1000);
  ExpectRefused(path, absl::StrCat(": the file has ", fs::file_size(path),
                                   " bytes; the limit is 16777216 (--max-file-bytes)"));
  fs::remove(path);
}

TEST_CASE("hostile: non-UTF-8 bytes and NUL bytes", "[hostile]") {
  ExpectRefused(Write("latin1.yaml", Scenario() + "description: caf\xe9\n"), ":9:17: invalid UTF-8 byte 0xE9");
  ExpectRefused(Write("nul.yaml", Scenario() + "description: a" + std::string(1, '\0') + "b\n"), ":9:15: NUL byte in the file");
  ExpectRefused(Write("nul.json", std::string("{\"scenario\": \"a\0b\"}", 20)), ":1:16: NUL byte in the file\n:1:20: NUL byte in the file");
  ExpectRefused(Write("utf16.json", std::string("\xff\xfe{\0}\0", 6)), ":1:1: invalid UTF-8 byte 0xFF");
  ExpectRefused(Write("overlong.yaml", Scenario() + "title2: \xc0\xaf\n"), ":9:9: invalid UTF-8 byte 0xC0");
  ExpectRefused(Write("surrogate.yaml", Scenario() + "title2: \xed\xa0\x80\n"), ":9:9: invalid UTF-8 byte 0xED");
}

TEST_CASE("hostile: durations that overflow 64-bit nanoseconds", "[hostile]") {
  ExpectRefused(Write("overflow-duration.yaml", Scenario("9999999999999999999s")),
                ":3:11: duration: duration '9999999999999999999s' is too large");
  ExpectRefused(Write("overflow-hours.yaml", Scenario("3000000h")),
                ":3:11: duration: duration '3000000h' is too large");
  ExpectRefused(Write("overflow-start.yaml",
                      Scenario("10s", "{name: broker-a}",
                               "producers:\n  - {group: pg, send: [{topic: T, start: 9223372037s, rate: "
                               "1/s, count: 1}, {topic: T, start: 1s, rate: 1/s, until: 99999999999999h}]}\n")),
                ":8:42: producers[0].send[0].start: duration '9223372037s' is too large\n"
                ":8:117: producers[0].send[1].until: duration '99999999999999h' is too large");
  ExpectRefused(Write("overflow-fault.yaml",
                      Scenario("100s") + "faults:\n  - {at: 50s, action: kill, target: broker-a, "
                                         "for: 9223372036s}\n"),
                ":10:52: faults[0].for: the fault would end at a time past the end of the 64-bit "
                "nanosecond clock, beyond the scenario duration (1m40s)");
  ExpectRefused(Write("too-long.yaml", Scenario("8808h")),
                ":3:11: duration: 8808h is longer than the longest horizon rmqsim runs (8784h)");
}

TEST_CASE("hostile: the slowest rate runs to the horizon without overflowing the clock", "[hostile]") {
  // Message i of this workload is planned i * 10^6 hours after its start: from the third one on,
  // past the end of the 64-bit nanosecond clock. Planned times past the horizon are never
  // computed: planning stops there, and the one message that fits is sent.
  std::string path = Write("slow-rate.yaml",
                           Scenario("100h", "{name: broker-a}",
                                    "producers:\n  - {group: pg, send: [{topic: T, mode: async, start: "
                                    "90h, rate: 0.000001/h, count: 50000000}]}\n"));
  std::string out = path + ".out.json";
  ChildResult r = RunChild({RMQSIM_BINARY, "run", path, "--quiet", "--events", "none", "--json", out});
  INFO(r.out);
  CHECK(r.exit_status == 0);
  CHECK(r.out.empty());
  CHECK(r.max_rss_mb() < rmqsim::testing::kMemoryBudgetMb);
  std::ifstream in(out);
  std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(json.find("\"summary\": {\"messages\": 1, \"ok\": 1,") != std::string::npos);
}

TEST_CASE("hostile: a million brokers and name servers", "[hostile]") {
  std::string brokers;
  for (int i = 0; i < 1000000; ++i) brokers += (i ? ",b" : "b") + std::to_string(i);
  ExpectRefused(Write("million-brokers.yaml", Scenario("10s", brokers)), ":5:7888815: the document has more than 1000000 nodes once aliases are expanded; the limit is 1000000");
  std::string maps;
  for (int i = 0; i < 1001; ++i) maps += absl::StrCat(i ? ", " : "", "{name: b", i, "}");
  ExpectRefused(Write("1001-brokers.yaml", Scenario("10s", maps)), ":5:12: cluster.brokers: 1001 brokers; the limit is 1000 (--max-brokers)");
  ExpectRefused(Write("million-nameservers.yaml",
                      std::string("scenario: hostile\ntitle: hostile\nduration: 10s\ncluster:\n"
                                  "  nameservers: 1000000\n  brokers: [{name: broker-a}]\n"
                                  "  topics: [{name: T}]\n") + kOneProducer),
                ":5:16: cluster.nameservers: must be between 1 and 1000 (got 1000000)");
}

TEST_CASE("hostile: rates that would create more work than the budgets", "[hostile]") {
  ExpectRefused(Write("rate-bomb.yaml",
                      Scenario("1h", "{name: broker-a}",
                               "producers:\n  - {group: pg, instances: 100, send: [{topic: T, mode: async, "
                               "start: 0s, rate: 1000000/s, until: 1h}]}\n")),
                ":7:1: producers: the scenario plans 360000000000 messages; the limit is 50000000 "
                "(--max-messages)");
  // Within the message budget but beyond a configured event budget: refused, nothing written.
  std::string out = Scratch() + "/event-budget.json";
  fs::remove(out);
  ChildResult r = RunChild({RMQSIM_BINARY, "run", "scenarios/broker-down-mid-async-send.yaml",
                            "--max-events", "1000", "--json", out});
  INFO(r.out);
  CHECK(r.exit_status == 2);
  CHECK(r.out ==
        "scenarios/broker-down-mid-async-send.yaml: the 4.9.0 run needs more than 1000 scheduler events "
        "(--max-events) to reach its horizon; stopped at 12901.3 ms, nothing written\n");
  CHECK_FALSE(fs::exists(out));
  CHECK(r.max_rss_mb() < rmqsim::testing::kMemoryBudgetMb);
}

}  // namespace
