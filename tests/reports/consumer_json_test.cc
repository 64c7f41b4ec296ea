// Timeline JSON with consumers (timeline-format.md: `deliveries`, `fates`, consumer metrics), from
// a real run of a consumer scenario.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/timeline_json.h"
#include "sim/profile.h"
#include "sim/run.h"
#include "sim/scenario_loader.h"

namespace rmqsim::reports {
namespace {

using nlohmann::json;

constexpr char kFailFirst[] = R"(
scenario: json-consumers
title: t
duration: 2m
cluster:
  brokers: [{name: broker-a, queues: 4}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 2s, rate: 1/s, count: 1}]}]
consumers:
  - {group: cg, topic: TopicTest, behaviour: {fail_first: 1}}
  - {group: cg-bc, topic: TopicTest, model: broadcasting, behaviour: {always_fail: true}}
)";

TEST_CASE("Timeline JSON: deliveries, fates and consumer metrics of a consumer run",
          "[reports][timeline_json][consumer]") {
  auto s = sim::ParseScenario(kFailFirst, "t.yaml");
  REQUIRE(s.ok());
  sim::RunResult r = sim::RunScenario(*s, *sim::FindProfile("4.9.3"), sim::RunOptions{});
  std::ostringstream out;
  WriteTimelineJson(out, *s, {r}, TimelineOptions{.generator = "rmqsim test"});
  json j = json::parse(out.str());
  const json& run = j["runs"][0];
  const json& sum = run["summary"];
  CHECK(sum["consumed"] == 1);
  CHECK(sum["dropped"] == 1);
  CHECK(sum["dead_lettered"] == 0);
  CHECK(sum["pending"] == 0);
  CHECK(sum["deliveries"] == 3);
  CHECK(sum["redeliveries"] == 1);
  CHECK(sum["consumer_duplicates"] == 0);
  CHECK(sum["delivery_latency_p99_ms"].get<double>() >= 10000.0);

  const json& m = run["messages"][0];
  REQUIRE(m["deliveries"].size() == 3);
  const json& d0 = m["deliveries"][0];
  for (const char* key : {"t_ms", "group", "consumer", "topic", "reconsume_times", "result"}) {
    CHECK(d0.contains(key));
  }
  // Deliveries in time order: cg's failure, cg-bc's drop, cg's retry from %RETRY%cg.
  std::vector<std::string> seen;
  for (const json& d : m["deliveries"]) {
    seen.push_back(d["group"].get<std::string>() + " " + d["topic"].get<std::string>() + " " +
                   d["result"].get<std::string>() + " r" + std::to_string(d["reconsume_times"].get<int>()));
  }
  CHECK(std::count(seen.begin(), seen.end(), "cg TopicTest RECONSUME_LATER r0") == 1);
  CHECK(std::count(seen.begin(), seen.end(), "cg-bc TopicTest RECONSUME_LATER r0") == 1);
  CHECK(seen.back() == "cg %RETRY%cg CONSUME_SUCCESS r1");
  // One fate per subscribed group, in group order.
  REQUIRE(m["fates"].size() == 2);
  CHECK(m["fates"][0]["group"] == "cg");
  CHECK(m["fates"][0]["fate"] == "consumed");
  CHECK(m["fates"][0]["at_ms"] == m["deliveries"][2]["end_ms"]);
  CHECK(m["fates"][1]["group"] == "cg-bc");
  CHECK(m["fates"][1]["fate"] == "dropped");
  CHECK(m["fates"][1]["at_ms"].is_number());
  // The journey: SCHEDULE_TOPIC_XXXX at level 3, then the re-put into %RETRY%cg.
  REQUIRE(m["journey"].size() == 2);
  CHECK(m["journey"][0]["topic"] == "SCHEDULE_TOPIC_XXXX");
  CHECK(m["journey"][0]["delay_level"] == 3);
  CHECK(m["journey"][0]["via"] == "send-back");
  CHECK(m["journey"][1]["topic"] == "%RETRY%cg");
  CHECK(m["journey"][1]["via"] == "re-put");
}

}  // namespace
}  // namespace rmqsim::reports
