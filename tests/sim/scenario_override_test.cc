// `--set PATH=VALUE` on the scenario tree (sim/scenario_document.h, scenario_override.cc): path
// errors name the path, values are validated as if written in the file and blamed on the flag,
// edits never leak into copies or YAML aliases; and the tree's YAML output loads back unchanged.
#include <filesystem>
#include <string>
#include <vector>

#include "sim/profile.h"
#include "sim/run.h"
#include "sim/scenario_document.h"
#include "sim/scenario_loader.h"
#include "tests/test_util.h"

namespace rmqsim::sim {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = RMQSIM_SOURCE_DIR;
const std::string kDefault = "scenarios/broker-down-mid-async-send.yaml";

// The #3556 scenario, pinned here so that line and column numbers stay put.
const std::string kPath = "set-test.yaml";
const std::string kText = R"(scenario: set-test
title: Overrides
duration: 60s
compare: [4.9.0, 4.9.3]
cluster:
  brokers:
    - {name: broker-a, queues: 4}
    - {name: broker-b, queues: 4}
  topics:
    - {name: TopicTest}
producers:
  - group: pg-order
    config: {send_latency_fault_enable: false}
    send:
      - {topic: TopicTest, mode: async, start: 1s, rate: 10/s, count: 500}
faults:
  - {at: 20s, action: kill, target: broker-a}
)";

absl::StatusOr<Scenario> LoadDefault(const std::vector<ScenarioOverride>& sets) {
  return ParseScenarioWithOverrides(kText, kPath, sets);
}

std::string Error(const std::vector<ScenarioOverride>& sets) {
  absl::StatusOr<Scenario> s = LoadDefault(sets);
  REQUIRE_FALSE(s.ok());
  return std::string(s.status().message());
}

TEST_CASE("--set path errors are FILE:LINE:COL messages naming the path and what the scenario has",
          "[loader][set]") {
  // LINE:COL is where the path stopped resolving: the list too short, the map without the key.
  CHECK(Error({{"producers[3].config.x", "1"}}) ==
        kPath + ":12:3: --set producers[3].config.x: no producers[3] (the scenario has 1 producer)");
  CHECK(Error({{"faults[2].at", "5s"}}) ==
        kPath + ":17:3: --set faults[2].at: no faults[2] (the scenario has 1 fault)");
  CHECK(Error({{"producers[0].send[4].count", "5"}}) ==
        kPath + ":15:7: --set producers[0].send[4].count: no producers[0].send[4] (producers[0] has "
                "1 workload)");
  CHECK(Error({{"cluster.brokers[7].queues", "2"}}) ==
        kPath + ":7:5: --set cluster.brokers[7].queues: no cluster.brokers[7] (cluster has 2 brokers)");
  CHECK(Error({{"consumers[0].group", "cg"}}) ==
        kPath + ":1:1: --set consumers[0].group: no consumers[0] (the scenario has no consumers)");
  CHECK(Error({{"cluster.brokers.name", "x"}}) ==
        kPath + ":7:5: --set cluster.brokers.name: cluster.brokers is a list; name an item as "
                "cluster.brokers[N]");
  CHECK(Error({{"duration.unit", "s"}}) ==
        kPath + ":3:11: --set duration.unit: duration is '60s', not a map");
  CHECK(Error({{"cluster[0]", "x"}}) == kPath + ":6:3: --set cluster[0]: cluster is a map, not a list");
  // Every path problem at once.
  CHECK(Error({{"faults[9].at", "1s"}, {"producers[0].config.send_msg_timeout", "1s"},
               {"producers[2].group", "g"}}) ==
        kPath + ":17:3: --set faults[9].at: no faults[9] (the scenario has 1 fault)\n" + kPath +
            ":12:3: --set producers[2].group: no producers[2] (the scenario has 1 producer)");
}

TEST_CASE("--set path syntax errors are reported before anything is loaded", "[loader][set]") {
  CHECK_FALSE(ParseOverrideFlag("faults[0].at").ok());
  for (const char* bad : {"faults[x].at=1s", "faults..at=1s", ".at=1s", "faults[0=1s", "a]b=1"}) {
    INFO(bad);
    absl::StatusOr<ScenarioOverride> o = ParseOverrideFlag(bad);
    REQUIRE_FALSE(o.ok());
    CHECK(std::string(o.status().message()).find("invalid path") != std::string::npos);
  }
  absl::StatusOr<ScenarioOverride> ok = ParseOverrideFlag("faults[0].at=5s,10s");
  REQUIRE_OK(ok);
  CHECK(ok->path == "faults[0].at");
  CHECK(ok->value == "5s,10s");
}

TEST_CASE("A value that fails validation is reported where the file had it, blamed on the flag",
          "[loader][set]") {
  // faults: - {at: 20s, ...} is on line 17; "20s" starts at column 10.
  CHECK(Error({{"faults[0].at", "500s"}}) ==
        kPath + ":17:10: faults[0].at: 8m20s is beyond the scenario duration (1m) "
                "(set by --set faults[0].at=500s)");
  CHECK(Error({{"producers[0].config.send_latency_fault_enable", "maybe"}}) ==
        kPath + ":13:41: producers[0].config.send_latency_fault_enable: expected true or false, "
                "got 'maybe' (set by --set producers[0].config.send_latency_fault_enable=maybe)");
  // A new key is placed at the map that receives it (the config map, 13:13).
  std::string unknown = Error({{"producers[0].config.retry_times_when_send_faild", "3"}});
  CHECK(unknown.rfind(kPath + ":13:13: unknown key 'retry_times_when_send_faild' (did you mean "
                              "'retry_times_when_send_failed'?)",
                      0) == 0);
  CHECK(unknown.find("(set by --set producers[0].config.retry_times_when_send_faild=3)") !=
        std::string::npos);
  CHECK(Error({{"faults[0]", "{at: 5s, action: explode, target: broker-a}"}}).find(
            "(set by --set faults[0]={at: 5s, action: explode, target: broker-a})") !=
        std::string::npos);
  CHECK(Error({{"faults[0].at", "{"}}).rfind("--set faults[0].at={: the value is not valid YAML", 0) == 0);
}

TEST_CASE("--set values change the loaded scenario", "[loader][set]") {
  absl::StatusOr<Scenario> s = LoadDefault({{"producers[0].config.send_latency_fault_enable", "true"},
                                            {"faults[0].at", "10s"},
                                            {"compare", "[4.9.3]"},
                                            {"faults[1]", "{at: 30s, action: start, target: broker-a}"},
                                            {"cluster.brokers[1].queues", "8"},
                                            {"producers[0].send[0].count", "100"}});
  REQUIRE_OK(s);
  REQUIRE(s->producers[0].config.size() == 1);
  CHECK(std::get<bool>(s->producers[0].config[0].value));
  CHECK(s->faults.size() == 2);
  CHECK(s->faults[0].at == SimDuration::Seconds(10));
  CHECK(s->faults[1].action == FaultAction::kStart);
  CHECK(s->compare == std::vector<std::string>{"4.9.3"});
  CHECK(s->cluster.brokers[1].queues == 8);
  CHECK(*s->producers[0].send[0].count == 100);
  // A key the producer does not have yet (start_at), and a map it lacks (a new config key path).
  absl::StatusOr<Scenario> t = LoadDefault({{"producers[0].start_at", "2s"}});
  REQUIRE_OK(t);
  CHECK(t->producers[0].start_at == SimDuration::Seconds(2));
  // Without overrides the entry points are the plain loader.
  REQUIRE_OK(LoadScenarioFileWithOverrides((kRoot / kDefault).string(), {}));
}

TEST_CASE("Editing a document copy leaves the original and YAML aliases alone", "[loader][set]") {
  std::string path = (kRoot / "tests/scenarios/valid/anchors.yaml").string();
  absl::StatusOr<ScenarioDocument> doc = ScenarioDocument::ReadFile(path);
  REQUIRE_OK(doc);
  ScenarioDocument copy = *doc;
  REQUIRE_OK(copy.Set({"producers[0].config.send_msg_timeout", "2s"}));
  absl::StatusOr<Scenario> edited = copy.Load();
  absl::StatusOr<Scenario> original = doc->Load();
  REQUIRE_OK(edited);
  REQUIRE_OK(original);
  auto timeout = [](const ProducerSpec& p) {
    for (const SettingOverride& o : p.config) {
      if (o.setting->key == std::string_view("send_msg_timeout")) return o.loc.line;
    }
    return -1;
  };
  // pg-2 shares pg-1's config through an alias: it keeps the file's value (line 15).
  CHECK(timeout(original->producers[0]) == 15);
  CHECK(timeout(edited->producers[1]) == 15);
  CHECK(copy.ToYaml().find("send_msg_timeout: 2s") != std::string::npos);
  CHECK(doc->ToYaml().find("2s") == std::string::npos);
}

TEST_CASE("Every shipped and valid test scenario round-trips through ToYaml", "[loader][yaml]") {
  std::vector<fs::path> files;
  for (const char* dir : {"scenarios", "tests/scenarios/valid", "tests/scenarios/shrink"}) {
    for (const auto& e : fs::directory_iterator(kRoot / dir)) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    INFO(f.string());
    absl::StatusOr<ScenarioDocument> doc = ScenarioDocument::ReadFile(f.string());
    REQUIRE_OK(doc);
    if (!doc->Load().ok()) continue;  // not a loadable scenario in this build
    std::string yaml = doc->ToYaml();
    absl::StatusOr<ScenarioDocument> back = ScenarioDocument::Parse(yaml, "round-trip.yaml");
    INFO(yaml);
    REQUIRE_OK(back);
    REQUIRE_OK(back->Load());
    CHECK(back->ToYaml() == yaml);
  }
  // And it runs the same.
  absl::StatusOr<ScenarioDocument> doc = ScenarioDocument::ReadFile((kRoot / kDefault).string());
  REQUIRE_OK(doc);
  absl::StatusOr<Scenario> a = doc->Load();
  absl::StatusOr<Scenario> b = ParseScenario(doc->ToYaml(), "x.yaml");
  REQUIRE_OK(a);
  REQUIRE_OK(b);
  RunOptions opts;
  opts.record_events = false;
  Summary sa = RunScenario(*a, *FindProfile("4.9.0"), opts).summary;
  Summary sb = RunScenario(*b, *FindProfile("4.9.0"), opts).summary;
  CHECK(sa.lost == sb.lost);
  CHECK(sa.ok == sb.ok);
  CHECK(sa.attempts == sb.attempts);
}

TEST_CASE("Hard strings survive the YAML output", "[loader][yaml]") {
  std::string text =
      "scenario: s\ntitle: \"a: b # c, [d] {e} 'f' \\\"g\\\" \\t tab\"\ndescription: \"line 1\\n  "
      "indented\\n\\nlast\\n\\n\"\nreferences: [\"- x\", \"null\", \"5\", \"<script>\", \"\\u2028\"]\n"
      "duration: 10s\ncluster: {brokers: [{name: b}]}\nproducers: [{group: g, send: [{topic: T, "
      "rate: 1/s, count: 1}]}]\n";
  absl::StatusOr<ScenarioDocument> doc = ScenarioDocument::Parse(text, "hard.yaml");
  REQUIRE_OK(doc);
  std::string yaml = doc->ToYaml();
  INFO(yaml);
  absl::StatusOr<ScenarioDocument> back = ScenarioDocument::Parse(yaml, "hard.yaml");
  REQUIRE_OK(back);
  CHECK(back->ToYaml() == yaml);
  const loader::Node& root = *back->root();
  CHECK(root.Find("title")->value->text == "a: b # c, [d] {e} 'f' \"g\" \t tab");
  CHECK(root.Find("description")->value->text == "line 1\n  indented\n\nlast\n\n");
  const loader::Node& refs = *root.Find("references")->value;
  REQUIRE(refs.items.size() == 5);
  CHECK(refs.items[1]->text == "null");
  CHECK(refs.items[1]->quoted);
  CHECK(refs.items[2]->quoted);
  CHECK(refs.items[4]->text == "\u2028");
}

}  // namespace
}  // namespace rmqsim::sim
