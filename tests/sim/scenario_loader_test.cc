#include "sim/scenario_loader.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/scenario_values.h"
#include "tests/test_util.h"

namespace rmqsim::sim {
namespace {

namespace fs = std::filesystem;
using loader::ParseDurationText;
using loader::ParseRateText;
using loader::ParseRatioText;

const fs::path kRoot = RMQSIM_SOURCE_DIR;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Everything a Scenario holds except source positions and the path, for comparing loads.
std::string Dump(const Scenario& s) {
  std::ostringstream o;
  o << "id=" << s.id << " title=" << s.title << " desc=" << s.description << " seed=" << s.seed
    << " duration=" << s.duration.ns() << "\nrefs:";
  for (const auto& r : s.references) o << " " << r;
  o << "\ncompare:";
  for (const auto& c : s.compare) o << " " << c;
  const ClusterSpec& c = s.cluster;
  o << "\nns:";
  for (const auto& n : c.nameservers) o << " " << n;
  for (const BrokerSpec& b : c.brokers) {
    o << "\nbroker " << b.name << " " << b.queues << " " << b.network_delay.ns() << " "
      << b.service_time.ns();
  }
  for (const TopicSpec& t : c.topics) {
    o << "\ntopic " << t.name;
    for (const TopicBroker& tb : t.brokers) o << " " << tb.broker << ":" << tb.queues;
  }
  o << "\nauto=" << c.auto_create_topic << " step=";
  if (c.client_step_time)
    o << c.client_step_time->low.ns() << ".." << c.client_step_time->high.ns();
  o << " delays:";
  for (SimDuration d : c.message_delay_level) o << " " << d.ns();
  for (const ProducerSpec& p : s.producers) {
    o << "\nproducer " << p.group << " x" << p.instances << " at " << p.start_at.ns();
    for (const SettingOverride& so : p.config) {
      o << "\n  set " << so.setting->key << "=";
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, SimDuration>)
              o << v.ns() << "ns";
            else if constexpr (std::is_same_v<T, std::vector<int32_t>>) {
              for (int32_t x : v) o << x << ",";
            } else {
              o << v;
            }
          },
          so.value);
    }
    for (const WorkloadSpec& w : p.send) {
      o << "\n  send " << w.topic << " " << SendModeName(w.mode) << " start=" << w.start.ns()
        << " rate=" << w.rate.count_scaled << "/" << w.rate.unit_ns_scaled
        << " count=" << w.count.value_or(-1) << " until=" << (w.until ? w.until->ns() : -1)
        << " threads=" << w.threads << " body=" << w.body_size;
    }
  }
  for (const FaultSpec& f : s.faults) {
    o << "\nfault " << f.at.ns() << " " << FaultActionName(f.action) << " "
      << static_cast<int>(f.target.kind) << ":" << f.target.name << "#" << f.target.instance
      << " for=" << (f.for_duration ? f.for_duration->ns() : -1)
      << " from=" << f.from_group.value_or("-") << " delay=" << f.delay.ns() << " code=" << f.code
      << "/" << f.code_name << " ratio=" << f.ratio.num << "/" << f.ratio.den;
  }
  for (const Expectation& x : s.expect) {
    o << "\nexpect " << x.profile << ": " << x.text << " (" << CompareOpText(x.op) << " " << x.value
      << ")";
  }
  return o.str();
}

absl::StatusOr<Scenario> Yaml(const std::string& text, const LoadLimits& limits = {}) {
  return ParseScenario(text, "t.yaml", limits);
}

std::string Errors(const absl::StatusOr<Scenario>& s) {
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(s.status().message());
}

// A valid scenario to which a test appends or substitutes lines.
const char* const kMinimal = R"(scenario: minimal
title: The smallest valid scenario
duration: 10s
cluster:
  brokers: [{name: broker-a}, {name: broker-b, queues: 8}]
  topics: [{name: TopicTest}]
producers:
  - group: pg
    send: [{topic: TopicTest, rate: 10/s, count: 5}]
)";

TEST_CASE("A YAML scenario and the equivalent JSON load to the same Scenario", "[loader]") {
  auto y = LoadScenarioFile((kRoot / "tests/scenarios/valid/full.yaml").string());
  auto j = LoadScenarioFile((kRoot / "tests/scenarios/valid/full.json").string());
  REQUIRE_OK(y);
  REQUIRE_OK(j);
  CHECK(Dump(*y) == Dump(*j));
  CHECK(y->producers.at(0).send.at(0).loc.line == 38);
  CHECK(j->producers.at(0).send.at(0).loc.line > 38);
}

TEST_CASE("The full example has every value the format allows", "[loader]") {
  auto s = LoadScenarioFile((kRoot / "tests/scenarios/valid/full.yaml").string());
  REQUIRE_OK(s);
  CHECK(s->seed == UINT64_MAX);
  CHECK(s->duration == SimDuration::Seconds(120));
  CHECK(s->references.size() == 2);
  CHECK(s->cluster.nameservers == std::vector<std::string>{"ns-1", "ns-2"});
  CHECK(s->cluster.brokers.at(0).service_time == SimDuration::Micros(500));
  const TopicSpec& topic = s->cluster.topics.at(0);
  REQUIRE(topic.brokers.size() == 2);
  CHECK((topic.brokers[0].broker == "broker-a" && topic.brokers[0].queues == 8));
  CHECK((topic.brokers[1].broker == "broker-b" && topic.brokers[1].queues == 4));
  REQUIRE(s->cluster.client_step_time);
  CHECK(s->cluster.client_step_time->low == SimDuration::Micros(10));
  CHECK(s->cluster.client_step_time->high == SimDuration::Micros(50));
  CHECK(s->cluster.message_delay_level.size() == 5);
  const ProducerSpec& p = s->producers.at(0);
  CHECK(p.instances == 2);
  CHECK(p.start_at == SimDuration::Millis(5));
  REQUIRE(p.config.size() == 7);
  CHECK(p.config[5].setting->key == "poll_name_server_interval");
  CHECK(std::get<SimDuration>(p.config[5].value) == SimDuration::Seconds(30));
  CHECK(std::get<int64_t>(p.config[2].value) == 3);
  const WorkloadSpec& w = p.send.at(0);
  CHECK(w.mode == SendMode::kAsync);
  CHECK((w.rate.count_scaled == 5 && w.rate.unit_ns_scaled == 10'000'000'000));
  CHECK(w.rate.Offset(1) == SimDuration::Seconds(2));
  CHECK(w.until == SimDuration::Seconds(61));
  CHECK(p.send.at(1).threads == 4);
  const FaultSpec& err = s->faults.at(4);
  CHECK(err.action == FaultAction::kError);
  CHECK((err.code == 2 && err.code_name == "SYSTEM_BUSY"));
  CHECK((err.ratio.num == 25 && err.ratio.den == 100));
  CHECK((s->faults.at(5).code == 17 && s->faults.at(5).code_name == "TOPIC_NOT_EXIST"));
  CHECK((s->faults.at(5).ratio.num == 1 && s->faults.at(5).ratio.den == 1));
  CHECK(s->faults.at(2).from_group == "pg-order");
  CHECK(s->faults.at(1).target.kind == FaultTarget::Kind::kNameServer);
  REQUIRE(s->expect.size() == 8);
  CHECK(s->expect[1].text == "duplicated <= 2");
  CHECK(s->expect[1].op == CompareOp::kLe);
  CHECK(s->expect[7].value == 3000.5);
}

TEST_CASE("Defaults of the format are applied", "[loader]") {
  auto s = Yaml(kMinimal);
  REQUIRE_OK(s);
  CHECK(s->path == "t.yaml");
  CHECK(s->seed == 1);
  CHECK(s->compare == std::vector<std::string>{"4.9.0", "4.9.3"});
  CHECK(s->cluster.nameservers == std::vector<std::string>{"ns-1"});
  CHECK(s->cluster.brokers[0].queues == 4);
  CHECK(s->cluster.brokers[0].network_delay == SimDuration::Millis(1));
  CHECK(s->cluster.brokers[0].service_time == SimDuration::Millis(1));
  CHECK_FALSE(s->cluster.auto_create_topic);
  CHECK_FALSE(s->cluster.client_step_time);
  CHECK(s->cluster.message_delay_level.empty());
  // Default topic placement: every broker, with that broker's queue count.
  REQUIRE(s->cluster.topics[0].brokers.size() == 2);
  CHECK(s->cluster.topics[0].brokers[1].queues == 8);
  const ProducerSpec& p = s->producers[0];
  CHECK(p.instances == 1);
  CHECK(p.start_at == SimDuration::Zero());
  CHECK(p.config.empty());
  const WorkloadSpec& w = p.send[0];
  CHECK(w.mode == SendMode::kSync);
  CHECK(w.start == SimDuration::Zero());
  CHECK(w.threads == 1);
  CHECK(w.body_size == 128);
  CHECK(w.count == 5);
  CHECK_FALSE(w.until);
}

TEST_CASE("Durations: absl syntax or milliseconds, never negative or beyond int64 ns", "[loader]") {
  CHECK(*ParseDurationText("250ms") == SimDuration::Millis(250));
  CHECK(*ParseDurationText("1m30s") == SimDuration::Seconds(90));
  CHECK(*ParseDurationText("1.5s") == SimDuration::Millis(1500));
  CHECK(*ParseDurationText("1500") == SimDuration::Millis(1500));
  CHECK(*ParseDurationText("0") == SimDuration::Zero());
  CHECK(*ParseDurationText("9223372036854ms") == SimDuration::Millis(9223372036854));
  CHECK_FALSE(ParseDurationText("9223372036855").ok());
  CHECK_FALSE(ParseDurationText("2562048h").ok());
  CHECK_FALSE(ParseDurationText("-1ms").ok());
  CHECK_FALSE(ParseDurationText("-1").ok());
  CHECK_FALSE(ParseDurationText("inf").ok());
  CHECK_FALSE(ParseDurationText("1.5").ok());
  CHECK_FALSE(ParseDurationText("3 s").ok());
  CHECK_FALSE(ParseDurationText("").ok());
}

TEST_CASE("Rates are kept exact as count_scaled / unit_ns_scaled", "[loader]") {
  auto r = ParseRateText("10/s");
  REQUIRE_OK(r);
  CHECK((r->count_scaled == 10 && r->unit_ns_scaled == 1'000'000'000));
  r = ParseRateText("0.5/s");
  CHECK((r->count_scaled == 5 && r->unit_ns_scaled == 10'000'000'000));
  r = ParseRateText("10/m");
  CHECK((r->count_scaled == 10 && r->unit_ns_scaled == 60'000'000'000));
  r = ParseRateText("2.25/h");
  CHECK((r->count_scaled == 225 && r->unit_ns_scaled == 360'000'000'000'000));
  CHECK(r->Offset(1) == SimDuration::Seconds(1600));
  CHECK(ParseRateText(".5/s")->count_scaled == 5);
  for (const char* bad : {"0/s", "0.0/m", "-1/s", "10", "10/d", "10/S", "x/s", "1.2.3/s", "/s",
                          "1e3/s", "99999999999999999999/s", "0.0000001/h", "1 /s"}) {
    INFO(bad);
    CHECK_FALSE(ParseRateText(bad).ok());
  }
  // The largest scale that still fits: 3.6e12 ns * 10^6.
  CHECK(ParseRateText("0.000001/h").ok());
}

TEST_CASE("Ratios are parsed from the decimal text, not through double", "[loader]") {
  auto r = ParseRatioText("0.25");
  REQUIRE_OK(r);
  CHECK((r->num == 25 && r->den == 100));
  r = ParseRatioText("0.1");
  CHECK((r->num == 1 && r->den == 10));
  r = ParseRatioText("1");
  CHECK((r->num == 1 && r->den == 1));
  r = ParseRatioText("0");
  CHECK((r->num == 0 && r->den == 1));
  r = ParseRatioText("1.000");
  CHECK((r->num == 1000 && r->den == 1000));
  r = ParseRatioText("0.333333333333333333");  // 18 digits: den 10^18 still fits
  CHECK(r.ok());
  for (const char* bad : {"1.5", "2", "-0.5", "0.25%", "1/4", "1e-1", "", "."}) {
    INFO(bad);
    CHECK_FALSE(ParseRatioText(bad).ok());
  }
}

TEST_CASE("Names and scenario ids", "[loader]") {
  CHECK(loader::IsValidName("broker-a"));
  CHECK(loader::IsValidName("%RETRY%cg.billing_1"));
  CHECK(loader::IsValidName(std::string(127, 'x')));
  CHECK_FALSE(loader::IsValidName(std::string(128, 'x')));
  CHECK_FALSE(loader::IsValidName(""));
  CHECK_FALSE(loader::IsValidName("a b"));
  CHECK_FALSE(loader::IsValidName("a/b"));
  CHECK(loader::IsValidScenarioId("issue-3556"));
  CHECK(loader::IsValidScenarioId("3556"));
  CHECK_FALSE(loader::IsValidScenarioId("-x"));
  CHECK_FALSE(loader::IsValidScenarioId("Issue"));
  CHECK_FALSE(loader::IsValidScenarioId("a_b"));
}

TEST_CASE("Did-you-mean suggests near misses only", "[loader]") {
  std::vector<std::string_view> keys = {"seed", "scenario", "faults", "for", "at"};
  CHECK(loader::DidYouMean("sed", keys) == " (did you mean 'seed'?)");
  CHECK(loader::DidYouMean("Seed", keys) == " (did you mean 'seed'?)");
  CHECK(loader::DidYouMean("scenraio", keys) == " (did you mean 'scenario'?)");
  CHECK(loader::DidYouMean("as", keys).empty());  // one edit of two letters is not "near"
  CHECK(loader::DidYouMean("completely", keys).empty());
  CHECK(loader::DidYouMean("sendMsgTimeout", {"send_msg_timeout"}) ==
        " (did you mean 'send_msg_timeout'?)");
}

TEST_CASE("Seeds are unsigned 64-bit integers", "[loader]") {
  std::string base = kMinimal;
  auto with_seed = [&](const std::string& seed) { return Yaml(base + "seed: " + seed + "\n"); };
  CHECK(with_seed("0")->seed == 0);
  CHECK(with_seed("18446744073709551615")->seed == UINT64_MAX);
  CHECK(Errors(with_seed("18446744073709551616")).find("at most 18446744073709551615") !=
        std::string::npos);
  CHECK(Errors(with_seed("-1")).find("unsigned 64-bit integer") != std::string::npos);
  CHECK(Errors(with_seed("1.0")).find("unsigned 64-bit integer") != std::string::npos);
  CHECK(Errors(with_seed("\"7\"")).find("got the string '7'") != std::string::npos);
}

TEST_CASE("Every problem is reported at once, sorted by position", "[loader]") {
  // `expect` comes first in the file but is checked last; `cluster` problems come later.
  std::string text = R"(expect:
  all: {faild: 0}
scenario: Bad
title: x
duration: 0
cluster:
  brokers: [{name: broker-a, queues: 0}]
producers:
  - group: pg
    send: [{topic: TopicTest, rate: 0/s, count: 1}]
)";
  std::string errors = Errors(Yaml(text));
  std::vector<std::string> lines;
  std::istringstream in(errors);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == "t.yaml:2:9: expect.all: unknown metric 'faild' (did you mean 'failed'?)");
  CHECK(lines[1].rfind("t.yaml:3:11: scenario: invalid id 'Bad'", 0) == 0);
  CHECK(lines[2] == "t.yaml:5:11: duration: must be greater than 0 (got '0')");
  CHECK(lines[3] == "t.yaml:7:38: cluster.brokers[0].queues: must be between 1 and 1024 (got 0)");
  CHECK(lines[4].rfind("t.yaml:10:20: producers[0].send[0].topic: unknown topic", 0) == 0);
  CHECK(lines[5] ==
        "t.yaml:10:37: producers[0].send[0].rate: a rate must be greater than 0 (got '0/s')");
}

TEST_CASE("YAML and JSON give the same messages for the same mistakes", "[loader]") {
  std::string yaml = R"(scenario: same
title: x
duration: 10s
compare: [4.9.3]
cluster:
  brokers: [{name: broker-a, queues: "4"}]
  topics: [{name: T, brokers: [broker-b]}]
producers:
  - group: pg
    config: {retry_time_when_send_failed: 1, connect_timeout: 2d}
    send: [{topic: T, mode: async, rate: 1/s, count: 1, threads: 2}]
faults: [{at: 1s, action: slow, target: broker-a}]
expect: {4.9.0: {failed: 0}}
)";
  std::string json = R"({"scenario": "same", "title": "x", "duration": "10s", "compare": ["4.9.3"],
  "cluster": {"brokers": [{"name": "broker-a", "queues": "4"}],
              "topics": [{"name": "T", "brokers": ["broker-b"]}]},
  "producers": [{"group": "pg",
                 "config": {"retry_time_when_send_failed": 1, "connect_timeout": "2d"},
                 "send": [{"topic": "T", "mode": "async", "rate": "1/s", "count": 1,
                           "threads": 2}]}],
  "faults": [{"at": "1s", "action": "slow", "target": "broker-a"}],
  "expect": {"4.9.0": {"failed": 0}}})";
  auto strip = [](const std::string& errors) {
    std::vector<std::string> out;
    std::istringstream in(errors);
    for (std::string line; std::getline(in, line);) {
      // Drop "PATH:LINE:COL: ".
      size_t at = 0;
      for (int i = 0; i < 3; ++i) at = line.find(':', at) + 1;
      out.push_back(line.substr(at + 1));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  auto y = strip(Errors(ParseScenario(yaml, "s.yaml")));
  auto j = strip(Errors(ParseScenario(json, "s.json")));
  CHECK(y.size() == 7);
  CHECK(y == j);
}

TEST_CASE("Topic placement: a list of brokers or a map of broker: queues", "[loader]") {
  std::string text = kMinimal;
  text.replace(text.find("topics: [{name: TopicTest}]"), 27,
               "topics: [{name: TopicTest, brokers: [broker-b]}, "
               "{name: Other, brokers: {broker-b: 2, broker-a: 16}}]");
  auto s = Yaml(text);
  REQUIRE_OK(s);
  const auto& t = s->cluster.topics;
  REQUIRE(t.size() == 2);
  REQUIRE(t[0].brokers.size() == 1);
  CHECK((t[0].brokers[0].broker == "broker-b" && t[0].brokers[0].queues == 8));
  REQUIRE(t[1].brokers.size() == 2);
  CHECK((t[1].brokers[0].broker == "broker-b" && t[1].brokers[0].queues == 2));
  CHECK((t[1].brokers[1].broker == "broker-a" && t[1].brokers[1].queues == 16));
}

TEST_CASE("Name servers as a count, step time and delay levels as lists", "[loader]") {
  std::string text = kMinimal;
  text.replace(text.find("cluster:\n"), 9,
               "cluster:\n  nameservers: 3\n  client_step_time: 2ms\n"
               "  message_delay_level: [1s, 2m, 3000]\n");
  auto s = Yaml(text);
  REQUIRE_OK(s);
  CHECK(s->cluster.nameservers == std::vector<std::string>{"ns-1", "ns-2", "ns-3"});
  CHECK(s->cluster.client_step_time->low == SimDuration::Millis(2));
  CHECK(s->cluster.client_step_time->high == SimDuration::Millis(2));
  CHECK(s->cluster.message_delay_level == std::vector<SimDuration>{SimDuration::Seconds(1),
                                                                   SimDuration::Seconds(120),
                                                                   SimDuration::Seconds(3)});
}

TEST_CASE("Producer settings are typed, bounded and checked against compared profiles",
          "[loader]") {
  std::string text = kMinimal;
  text.replace(text.find("  - group: pg\n"), 14,
               "  - group: pg\n    config: {mq_client_api_timeout: 2s, "
               "retry_response_codes: [SYSTEM_BUSY, 17, 204]}\n");
  // 4.9.0 lacks both settings: one error each, naming the profile.
  std::string errors = Errors(Yaml(text));
  CHECK(errors.find("t.yaml:9:14: setting 'mq_client_api_timeout' is not available in profile "
                    "4.9.0") != std::string::npos);
  CHECK(errors.find("setting 'retry_response_codes' is not available in profile 4.9.0") !=
        std::string::npos);
  auto s = Yaml(text + "compare: [4.9.3]\n");
  REQUIRE_OK(s);
  const auto& config = s->producers[0].config;
  REQUIRE(config.size() == 2);
  CHECK(std::get<SimDuration>(config[0].value) == SimDuration::Seconds(2));
  CHECK(std::get<std::vector<int32_t>>(config[1].value) == std::vector<int32_t>{2, 17, 204});
  CHECK(config[1].loc.line == 9);
}

TEST_CASE("Expectations: equality by default, operators, and their text", "[loader]") {
  auto s = Yaml(std::string(kMinimal) +
                "expect:\n  all: {unresolved: 0, latency_p99_ms: \"< 2.5\"}\n"
                "  4.9.3: {failed: \">=1\", stored.broker-b: \"!= 0\", errors.X: 3}\n");
  REQUIRE_OK(s);
  REQUIRE(s->expect.size() == 5);
  CHECK((s->expect[0].profile == "all" && s->expect[0].text == "unresolved == 0"));
  CHECK((s->expect[1].op == CompareOp::kLt && s->expect[1].value == 2.5));
  CHECK((s->expect[2].profile == "4.9.3" && s->expect[2].text == "failed >= 1"));
  CHECK(s->expect[3].op == CompareOp::kNe);
  CHECK(s->expect[4].metric == "errors.X");
}

TEST_CASE("YAML merge keys and anchors are expanded", "[loader]") {
  auto s = LoadScenarioFile((kRoot / "tests/scenarios/valid/anchors.yaml").string());
  REQUIRE_OK(s);
  REQUIRE(s->cluster.brokers.size() == 2);
  CHECK(s->cluster.brokers[0].queues == 8);
  CHECK(s->cluster.brokers[1].queues == 2);  // an explicit key wins over the merged one
  CHECK(s->cluster.brokers[1].network_delay == SimDuration::Millis(3));
  CHECK(s->producers[0].config.size() == s->producers[1].config.size());
}

TEST_CASE("A byte order mark and CRLF line ends are accepted", "[loader]") {
  std::string text = "\xEF\xBB\xBF" + std::string(kMinimal) + "seed: x\n";
  size_t pos = 0;
  while ((pos = text.find('\n', pos)) != std::string::npos) {
    text.replace(pos, 1, "\r\n");
    pos += 2;
  }
  CHECK(Errors(Yaml(text)) == "t.yaml:10:7: seed: expected an unsigned 64-bit integer, got 'x'");
}

TEST_CASE("Columns count characters, not bytes", "[loader]") {
  std::string errors = Errors(Yaml("title: \"héllo\"\nseed: [1]\ncluster: {ü: 1, é: 1}\n"));
  CHECK(errors.find("t.yaml:3:11: unknown key 'ü'") != std::string::npos);
  CHECK(errors.find("t.yaml:3:17: unknown key 'é'") != std::string::npos);
}

TEST_CASE("Resource limits stop hostile files with a clear message", "[loader]") {
  LoadLimits limits;
  limits.max_messages = 9;
  REQUIRE_OK(Yaml(kMinimal, limits));  // 5 planned
  limits.max_messages = 4;
  CHECK(Errors(Yaml(kMinimal, limits)) ==
        "t.yaml:7:1: producers: the scenario plans 5 messages; the limit is 4 (--max-messages)");

  limits = LoadLimits{};
  limits.max_brokers = 1;
  CHECK(Errors(Yaml(kMinimal, limits)) ==
        "t.yaml:5:12: cluster.brokers: 2 brokers; the limit is 1 (--max-brokers)");

  limits = LoadLimits{};
  limits.max_file_bytes = 10;
  CHECK(Errors(Yaml(kMinimal, limits)) ==
        "t.yaml: the file has 243 bytes; the limit is 10 (--max-file-bytes)");

  limits = LoadLimits{};
  limits.max_depth = 3;
  CHECK(Errors(Yaml(kMinimal, limits)) ==
        "t.yaml:5:13: nesting is deeper than 3 levels; the "
        "limit is 3");
  limits = LoadLimits{};
  limits.max_nodes = 10;
  CHECK(Errors(Yaml(kMinimal, limits)).find("more than 10 nodes") != std::string::npos);

  // An until-based workload: rate x (until - start), times instances.
  limits = LoadLimits{};
  limits.max_messages = 2000;
  std::string text = kMinimal;
  text.replace(text.find("count: 5"), 8, "start: 1s, until: 101s");
  text.replace(text.find("  - group: pg\n"), 14, "  - group: pg\n    instances: 2\n");
  REQUIRE_OK(Yaml(text, limits));  // 10/s for 100 s, 2 instances: 2000
  text.replace(text.find("until: 101s"), 11, "until: 101001ms");
  CHECK(Errors(Yaml(text, limits)).find("plans 2002 messages; the limit is 2000") !=
        std::string::npos);
}

TEST_CASE("Files: missing, unknown extension, the consumer section", "[loader]") {
  auto missing = LoadScenarioFile("no/such/file.yaml");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(missing.status().message().rfind("no/such/file.yaml: cannot read file: ", 0) == 0);
  auto dir = LoadScenarioFile((kRoot / "tests").string());
  CHECK(dir.status().code() == absl::StatusCode::kNotFound);
  CHECK(dir.status().message().find(": cannot read file: ") != std::string_view::npos);
  LoadLimits small;
  small.max_file_bytes = 100;
  std::string full = (kRoot / "tests/scenarios/valid/full.yaml").string();
  auto big = LoadScenarioFile(full, small);
  CHECK(big.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(big.status().message() == full + ": the file has " + std::to_string(fs::file_size(full)) +
                                      " bytes; the limit is 100 (--max-file-bytes)");
  auto txt = ParseScenario(kMinimal, "scenario.txt");
  CHECK(txt.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ParseScenario(kMinimal, "x.YML").ok());
}

TEST_CASE("Mangled files give InvalidArgument, never a crash or an exception", "[loader]") {
  // Deterministic mutations (an LCG) of the valid examples: bytes dropped, replaced, inserted.
  uint64_t state = 3556;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  const char* const inserts[] = {"{",     "]",        ":",    ",",  "\"",   "&a ",
                                 "*a",    "<<: *a\n", "\n  ", "\t", "\xff", "!!str ",
                                 "---\n", "? ",       "-1",   "..", "#"};
  for (const char* name : {"full.yaml", "full.json", "anchors.yaml"}) {
    std::string base = ReadAll(kRoot / "tests/scenarios/valid" / name);
    for (int i = 0; i < 300; ++i) {
      std::string text = base;
      size_t pos = next() % text.size();
      switch (next() % 3) {
        case 0:
          text.erase(pos, 1 + next() % 6);
          break;
        case 1:
          text[pos] = static_cast<char>(next() % 256);
          break;
        default:
          text.insert(pos, inserts[next() % (sizeof inserts / sizeof *inserts)]);
          break;
      }
      auto s = ParseScenario(text, name);
      INFO(text);
      CHECK((s.ok() || s.status().code() == absl::StatusCode::kInvalidArgument));
    }
  }
}

// ---- The malformed corpus: each file against its golden NAME.expected
// ----------------------------

TEST_CASE("Malformed scenarios give exactly the golden messages", "[loader][golden]") {
  const fs::path dir = kRoot / "tests/scenarios/malformed";
  const bool update = std::getenv("RMQSIM_UPDATE_GOLDEN") != nullptr &&
                      std::string(std::getenv("RMQSIM_UPDATE_GOLDEN")) == "1";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".expected") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 35);
  for (const fs::path& file : files) {
    std::string rel = fs::relative(file, kRoot).generic_string();
    INFO(rel);
    auto s = ParseScenario(ReadAll(file), rel);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == absl::StatusCode::kInvalidArgument);
    std::string actual = std::string(s.status().message()) + "\n";
    fs::path golden = file;
    golden += ".expected";
    if (update) {
      std::ofstream(golden, std::ios::binary) << actual;
      continue;
    }
    REQUIRE(fs::exists(golden));
    CHECK(actual == ReadAll(golden));
  }
  // Every golden has its scenario.
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".expected") continue;
    fs::path scenario = entry.path();
    scenario.replace_extension();
    INFO(entry.path().string());
    CHECK(fs::exists(scenario));
  }
}

TEST_CASE("Valid scenarios load", "[loader][golden]") {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(kRoot / "tests/scenarios/valid")) {
    INFO(entry.path().string());
    REQUIRE_OK(LoadScenarioFile(entry.path().string()));
    ++count;
  }
  CHECK(count >= 3);
}

}  // namespace
}  // namespace rmqsim::sim
