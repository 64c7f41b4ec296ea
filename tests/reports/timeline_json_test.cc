#include "reports/timeline_json.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <memory>
#include <sstream>

#include "tests/reports/report_fixture.h"

namespace rmqsim::reports {
namespace {

using namespace rmqsim::reports::testing;
using nlohmann::json;

std::string Write(const sim::Scenario& s, const std::vector<sim::RunResult>& runs,
                  TimelineOptions opts = {.generator = "rmqsim test"}) {
  std::ostringstream out;
  WriteTimelineJson(out, s, runs, opts);
  return out.str();
}

TEST_CASE("FormatMs spells milliseconds exactly", "[reports][timeline_json]") {
  CHECK(FormatMs(int64_t{0}) == "0.0");
  CHECK(FormatMs(int64_t{10000000000}) == "10000.0");
  CHECK(FormatMs(int64_t{10000250000}) == "10000.25");
  CHECK(FormatMs(int64_t{1}) == "0.000001");
  CHECK(FormatMs(int64_t{-3500000}) == "-3.5");
  CHECK(FormatMs(INT64_MIN) == "-9223372036854.775808");
  CHECK(FormatDouble(4.0) == "4.0");
  CHECK(FormatDouble(12.345) == "12.345");
  CHECK(FormatDouble(-0.0) == "0.0");
  CHECK(FormatDouble(1.0 / 0.0) == "null");
}

TEST_CASE("Timeline JSON has the documented fields for #3556", "[reports][timeline_json]") {
  std::string text = Write(Scenario3556(), {Run490(), Run493()});
  json j = json::parse(text);
  CHECK(j["format"] == "rmqsim-timeline/1");
  const json& sc = j["scenario"];
  CHECK(sc["id"] == "broker-down-mid-async-send");
  CHECK(sc["seed"] == 7);
  CHECK(sc["duration_ms"] == 60000.0);
  CHECK(sc["compare"] == json::array({"4.9.0", "4.9.3"}));
  CHECK(sc["generator"] == "rmqsim test");
  CHECK(sc["description"] == "Broker a is killed.\nThe client keeps routing to it.");
  REQUIRE(j["runs"].size() == 2);

  const json& r0 = j["runs"][0];
  CHECK(r0["profile"] == "4.9.0");
  CHECK(r0["end_ms"] == 60000.0);
  CHECK(r0["events_executed"] == 1234);
  const json& sum = r0["summary"];
  CHECK(sum["messages"] == 3);
  CHECK(sum["ok"] == 2);
  CHECK(sum["failed"] == 1);
  CHECK(sum["lost"] == 1);
  CHECK(sum["attempts"] == 3);
  CHECK(sum["retries"] == 0);
  CHECK(sum["latency_max_ms"] == 2.0);
  CHECK(sum["stored_by_broker"] == json({{"broker-a", 1}, {"broker-b", 1}}));
  CHECK(sum["errors_by_type"] == json({{"MQClientException", 1}}));

  const json& m = r0["messages"][2];
  CHECK(m["id"] == "pg#0/3");
  CHECK(m["producer"] == "pg#0");
  CHECK(m["mode"] == "async");
  CHECK(m["sent_ms"] == 10000.0);
  CHECK(m["resolved_ms"] == 10001.25);
  CHECK(m["outcome"] == "failed");
  CHECK(m["send_status"].is_null());
  CHECK(m["error"]["type"] == "MQClientException");
  CHECK(m["error"]["cause"] == "RemotingConnectException: connect to <10.0.0.1:10911> failed");
  CHECK(m["stored"] == json::array());
  REQUIRE(m["attempts"].size() == 1);
  const json& a = m["attempts"][0];
  CHECK(a["n"] == 1);
  CHECK(a["broker"] == "broker-a");
  CHECK(a["queue"] == 2);
  CHECK(a["start_ms"] == 10000.0);
  CHECK(a["end_ms"] == 10001.25);
  CHECK(a["result"] == "RemotingConnectException");
  CHECK(a["path"] == "sendDefaultImpl");
  CHECK(a["decision"] == "connect exception escaped to sendDefaultImpl, 1 attempt allowed");

  const json& ok = j["runs"][1]["messages"][2];
  CHECK(ok["outcome"] == "ok");
  CHECK(ok["error"].is_null());
  CHECK(ok["stored"] == json::array({{{"broker", "broker-b"}, {"queue", 1}, {"at_ms", 10003.0}}}));
  CHECK(ok["attempts"][1]["path"] == "onExceptionImpl");

  const json& ev = r0["events"];
  REQUIRE(ev.size() == 4);
  CHECK_FALSE(ev[0].contains("msg"));
  CHECK(ev[2]["msg"] == "pg#0/3");
  CHECK(ev[2]["fields"] == json({{"broker", "broker-a"}, {"index", "41"}}));
  CHECK(ev[1]["kind"] == "fault_begin");
}

TEST_CASE("Timeline JSON keeps the documented key order and spelling", "[reports][timeline_json]") {
  std::string text = Write(Scenario3556(), {Run490()});
  CHECK(text.rfind("{\n\"format\": \"rmqsim-timeline/1\",\n\"scenario\": {\"id\": ", 0) == 0);
  CHECK(text.find(
            "{\"id\": \"pg#0/3\", \"producer\": \"pg#0\", \"topic\": \"TopicTest\", "
            "\"mode\": \"async\", \"sent_ms\": 10000.0, \"resolved_ms\": 10001.25, "
            "\"outcome\": \"failed\", \"send_status\": null, \"error\": {\"type\": "
            "\"MQClientException\", ") != std::string::npos);
  CHECK(text.find("\"attempts\": [{\"n\": 1, \"broker\": \"broker-a\", \"queue\": 2, "
                  "\"start_ms\": 10000.0, \"end_ms\": 10001.25, \"result\": "
                  "\"RemotingConnectException\", \"path\": \"sendDefaultImpl\", ") !=
        std::string::npos);
  CHECK(text.find("{\"messages\": 3, \"ok\": 2, \"failed\": 1, \"unresolved\": 0, \"lost\": 1, "
                  "\"silent_loss\": 0, \"duplicated\": 0, \"false_failure\": 0, \"stored\": 2, "
                  "\"attempts\": 3, \"retries\": 0, \"attempts_max\": 1, \"latency_p50_ms\": 2.0, "
                  "\"latency_p99_ms\": 2.0, \"latency_max_ms\": 2.0, \"double_callback\": 0, "
                  "\"stored_by_broker\": "
                  "{\"broker-a\": 1, \"broker-b\": 1}, \"errors_by_type\": "
                  "{\"MQClientException\": 1}}") != std::string::npos);
}

TEST_CASE("Timeline JSON is byte-identical for identical input", "[reports][timeline_json]") {
  CHECK(Write(Scenario3556(), {Run490(), Run493()}) == Write(Scenario3556(), {Run490(), Run493()}));
}

TEST_CASE("Timeline JSON writes nulls for unresolved messages and unfinished attempts",
          "[reports][timeline_json]") {
  sim::RunResult r = Run490();
  sim::MessageRecord m = r.messages[0];
  m.id = "pg#0/4";
  m.outcome = sim::Outcome::kUnresolved;
  m.resolved.reset();
  m.stored.clear();
  m.attempts[0].end.reset();
  r.messages.push_back(m);
  json j = json::parse(Write(Scenario3556(), {r}, {.generator = "g", .include_events = false}));
  const json& u = j["runs"][0]["messages"][3];
  CHECK(u["resolved_ms"].is_null());
  CHECK(u["send_status"].is_null());
  CHECK(u["attempts"][0]["end_ms"].is_null());
  CHECK(u["outcome"] == "unresolved");
  CHECK(j["runs"][0]["events"] == json::array());
}

TEST_CASE("Timeline JSON stays valid with hostile names", "[reports][timeline_json]") {
  sim::Scenario s = Scenario3556();
  s.title = HostileName();
  s.compare = {HostileName()};
  sim::RunResult r = Run490();
  r.profile = HostileName();
  r.messages[2].attempts[0].broker = HostileName();
  r.messages[2].error->cause = HostileName();
  r.events[2].fields.push_back({HostileName(), HostileName()});
  r.summary = sim::Summarize(r.messages);
  r.summary.errors_by_type[HostileName()] = 2;
  std::string text = Write(s, {r});
  json j = json::parse(text);  // throws on invalid JSON or UTF-8
  CHECK(j["scenario"]["title"].get<std::string>().find("</script>") != std::string::npos);
  CHECK(text.find("</script>") == std::string::npos);
  CHECK(j["runs"][0]["profile"] == j["scenario"]["title"]);
}

TEST_CASE("Timeline JSON with no runs is still a document", "[reports][timeline_json]") {
  json j = json::parse(Write(Scenario3556(), {}));
  CHECK(j["runs"] == json::array());
}


// A spooled run writes the bytes of the same run held in memory: small logs (kept in the spool's
// buffer), a log larger than the buffer (flushed to the temporary file and copied back), an empty
// log, and `include_events = false`.
TEST_CASE("Timeline JSON with spooled event logs is byte-identical to the in-memory logs",
          "[reports][timeline_json]") {
  std::vector<sim::RunResult> runs = {Run490(), Run493()};
  // Enough events (with hostile text) that the spool writes its temporary file several times.
  for (int i = 0; i < 6000; ++i) {
    runs[1].events.push_back(core::Event{
        Ms(10000 + i), "producer:pg#0", "select_queue", "pg#0/" + std::to_string(i),
        "broker-b queue " + std::to_string(i % 4) + " \"q\"\n\x01" + std::string(80, 'x'),
        {{"index", std::to_string(i)}}});
  }
  runs.push_back(Run490());
  runs[2].profile = "4.9.8";
  runs[2].events.clear();
  REQUIRE(runs[0].events.size() > 0);

  std::vector<std::unique_ptr<EventSpool>> spools;
  TimelineOptions spooled{.generator = "rmqsim test"};
  std::vector<sim::RunResult> without = runs;
  for (sim::RunResult& r : without) {
    spools.push_back(std::make_unique<EventSpool>());
    for (const core::Event& e : r.events) spools.back()->OnEvent(e);
    r.events.clear();
    spooled.event_spools.push_back(spools.back().get());
  }
  CHECK(spools[1]->count() == runs[1].events.size());

  std::string expected = Write(Scenario3556(), runs);
  REQUIRE(expected.size() > 3 * (256u << 10));  // beyond the spool's 256 KiB buffer, thrice
  CHECK(Write(Scenario3556(), without, spooled) == expected);
  // A spool can be copied again (the report writer may be retried on another file).
  CHECK(Write(Scenario3556(), without, spooled) == expected);

  TimelineOptions none{.generator = "rmqsim test", .include_events = false};
  TimelineOptions spooled_none = spooled;
  spooled_none.include_events = false;
  CHECK(Write(Scenario3556(), without, spooled_none) == Write(Scenario3556(), runs, none));
  CHECK(json::parse(Write(Scenario3556(), without, spooled_none))["runs"][1]["events"].empty());
}

}  // namespace
}  // namespace rmqsim::reports
