#include "reports/trace_export.h"

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "tests/reports/report_fixture.h"

namespace rmqsim::reports {
namespace {

using namespace rmqsim::reports::testing;
using nlohmann::json;

std::string Write(const sim::Scenario& s, const std::vector<sim::RunResult>& runs) {
  std::ostringstream out;
  WriteTraceJson(out, s, runs, TraceOptions{.generator = "rmqsim test"});
  return out.str();
}

struct Slice {
  double ts, dur;
  std::string name;
};

// Structural checks every viewer relies on; returns the X slices by (pid, tid).
std::map<std::pair<int, int>, std::vector<Slice>> CheckStructure(const json& j) {
  REQUIRE(j["displayTimeUnit"] == "ms");
  const json& ev = j["traceEvents"];
  REQUIRE(ev.is_array());
  std::set<int> named_pids;
  std::set<std::pair<int, int>> named_tids, used_tids;
  std::map<std::tuple<int, std::string, uint64_t>, double> open_async;
  std::set<std::tuple<int, std::string, uint64_t>> seen_async;
  std::map<std::pair<int, int>, std::vector<Slice>> slices;
  std::map<uint64_t, std::vector<json>> flows;
  std::map<std::pair<int, std::string>, std::vector<std::pair<double, int64_t>>> counters;
  for (const json& e : ev) {
    std::string ph = e["ph"];
    int pid = e["pid"], tid = e["tid"];
    if (ph == "M") {
      if (e["name"] == "process_name") named_pids.insert(pid);
      if (e["name"] == "thread_name") named_tids.insert({pid, tid});
      CHECK(e["args"].is_object());
      continue;
    }
    used_tids.insert({pid, tid});
    REQUIRE(e["ts"].is_number());
    double ts = e["ts"];
    if (ph == "b") {
      auto key = std::make_tuple(pid, e["cat"].get<std::string>(), e["id"].get<uint64_t>());
      CHECK(seen_async.insert(key).second);  // ids unique per attempt
      open_async[key] = ts;
    } else if (ph == "e") {
      auto key = std::make_tuple(pid, e["cat"].get<std::string>(), e["id"].get<uint64_t>());
      REQUIRE(open_async.count(key) == 1);
      CHECK(open_async[key] <= ts);
      open_async.erase(key);
    } else if (ph == "X") {
      CHECK(e["dur"].get<double>() > 0);
      slices[{pid, tid}].push_back({ts, e["dur"].get<double>(), e["name"]});
    } else if (ph == "s" || ph == "f") {
      flows[e["id"].get<uint64_t>()].push_back(e);
    } else if (ph == "i") {
      CHECK((e["s"] == "g" || e["s"] == "t"));
    } else if (ph == "C") {
      counters[{pid, e["name"]}].push_back({ts, e["args"]["requests"].get<int64_t>()});
    } else {
      FAIL("unexpected phase " << ph);
    }
  }
  CHECK(open_async.empty());  // every b has its e
  for (const auto& pt : used_tids) {
    CHECK(named_pids.count(pt.first) == 1);
    CHECK(named_tids.count(pt) == 1);
  }
  for (auto& [track, v] : slices) {  // thread slices never overlap on a track
    std::sort(v.begin(), v.end(), [](const Slice& a, const Slice& b) { return a.ts < b.ts; });
    for (size_t i = 1; i < v.size(); ++i) CHECK(v[i - 1].ts + v[i - 1].dur <= v[i].ts + 1e-9);
  }
  auto enclosing = [&](const json& e) {
    for (const Slice& s : slices[{e["pid"].get<int>(), e["tid"].get<int>()}]) {
      double t = e["ts"];
      if (s.ts < t && t < s.ts + s.dur) return true;
    }
    return false;
  };
  for (const auto& [id, pair] : flows) {
    REQUIRE(pair.size() == 2);
    CHECK(pair[0]["ph"] == "s");
    CHECK(pair[1]["ph"] == "f");
    CHECK(pair[1]["bp"] == "e");
    CHECK(enclosing(pair[0]));
    CHECK(enclosing(pair[1]));
  }
  for (auto& [name, v] : counters) {
    for (auto& p : v) CHECK(p.second >= 0);
    CHECK(v.back().second == 0);
  }
  return slices;
}

TEST_CASE("Trace export of #3556 is a well-formed Chrome trace", "[reports][trace]") {
  std::string text = Write(Scenario3556(), {Run490(), Run493()});
  json j = json::parse(text);
  auto slices = CheckStructure(j);
  CHECK(j["otherData"]["generator"] == "rmqsim test");

  std::map<std::pair<int, int>, std::string> thread_names;
  std::map<int, std::string> process_names;
  int flows = 0, faults = 0, attempts_b = 0;
  for (const json& e : j["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") thread_names[{e["pid"], e["tid"]}] = e["args"]["name"];
    if (e["ph"] == "M" && e["name"] == "process_name") process_names[e["pid"]] = e["args"]["name"];
    if (e["ph"] == "s") ++flows;
    if (e["ph"] == "i" && e["s"] == "g") ++faults;
    if (e["ph"] == "b" && e["cat"] == "attempt") {
      ++attempts_b;
      CHECK(thread_names[{e["pid"], e["tid"]}].rfind("broker:", 0) == 0);
      CHECK(e["args"].contains("decision"));
    }
  }
  CHECK(process_names == std::map<int, std::string>{{1, "4.9.0"}, {2, "4.9.3"}});
  CHECK(flows == 1);         // only 4.9.3's pg#0/3 was retried
  CHECK(faults == 4);        // begin and end, per profile
  CHECK(attempts_b == 3 + 4);
  std::set<std::string> names;
  for (const auto& [pt, n] : thread_names) {
    if (pt.first == 1) names.insert(n);
  }
  CHECK(names == std::set<std::string>{"nameserver:ns-1", "broker:broker-a", "broker-a attempts #1",
                                       "broker:broker-b", "broker-b attempts #1", "producer:pg#0",
                                       "fault"});
  // The retry of 4.9.3 joins a slice on broker-a's lane to one on broker-b's lane.
  for (const json& e : j["traceEvents"]) {
    if (e["ph"] == "s") CHECK(thread_names[{2, e["tid"]}] == "broker-a attempts #1");
    if (e["ph"] == "f") CHECK(thread_names[{2, e["tid"]}] == "broker-b attempts #1");
  }
}

TEST_CASE("Trace export is deterministic", "[reports][trace]") {
  CHECK(Write(Scenario3556(), {Run490(), Run493()}) == Write(Scenario3556(), {Run490(), Run493()}));
}

TEST_CASE("Trace export packs concurrent attempts onto lanes", "[reports][trace]") {
  sim::RunResult r = Run493();
  for (int i = 0; i < 5; ++i) {  // five overlapping requests to a hung broker-a, one unfinished
    sim::MessageRecord m = OkMessage(10 + i, "broker-a", i % 4, 20000 + i);
    m.attempts[0].end = Ms(23000 + i);
    if (i == 4) m.attempts[0].end.reset();
    m.attempts.push_back(Attempt(2, "broker-b", 0, 23000 + i, 23001 + i, "SEND_OK",
                                 "sendDefaultImpl", "done"));
    m.attempts[0].result = "RemotingTimeoutException";
    r.messages.push_back(m);
  }
  sim::MessageRecord instant = OkMessage(20, "broker-b", 0, 30000);
  instant.attempts[0].end = instant.attempts[0].start;  // zero-length attempt
  r.messages.push_back(instant);
  r.events.clear();  // faults fall back to the scenario's fault list
  json j = json::parse(Write(Scenario3556(), {r}));
  auto slices = CheckStructure(j);
  int lanes = 0, faults = 0;
  int64_t peak = 0;
  for (const json& e : j["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name" &&
        e["args"]["name"].get<std::string>().rfind("broker-a attempts #", 0) == 0) {
      ++lanes;
    }
    if (e["ph"] == "i" && e["s"] == "g") ++faults;
    if (e["ph"] == "C" && e["name"] == "in-flight broker-a") {
      peak = std::max(peak, e["args"]["requests"].get<int64_t>());
    }
  }
  CHECK(lanes == 5);
  CHECK(peak == 5);
  CHECK(faults == 1);  // the scenario's kill has no end
}

TEST_CASE("Fault intervals pair begin and end by target", "[reports][trace]") {
  sim::RunResult r;
  r.events = {
      core::Event{Ms(1), "fault", "fault_begin", "", "kill broker broker-a"},
      core::Event{Ms(2), "fault", "fault_begin", "", "slow broker broker-b"},
      core::Event{Ms(3), "fault", "fault_end", "", "heal broker broker-b"},
  };
  std::vector<FaultInterval> f = FaultIntervals(Scenario3556(), r);
  REQUIRE(f.size() == 2);
  CHECK_FALSE(f[0].end.has_value());
  CHECK(f[1].end == Ms(3));
  CHECK(f[1].end_text == "heal broker broker-b");
  CHECK(FormatUs(1250) == "1.25");
  CHECK(FormatUs(10000000000) == "10000000.0");
}

TEST_CASE("Trace export stays valid with hostile names", "[reports][trace]") {
  sim::Scenario s = Scenario3556();
  s.title = HostileName();
  s.cluster.brokers[0].name = HostileName();
  sim::RunResult r = Run493();
  r.profile = HostileName();
  r.messages[2].attempts[0].broker = HostileName();
  r.messages[2].attempts[0].decision = HostileName();
  r.messages[2].id = HostileName();
  r.events[2].actor = HostileName();
  r.events[2].fields.push_back({HostileName(), HostileName()});
  json j = json::parse(Write(s, {r, Run490()}));
  CheckStructure(j);
}

}  // namespace
}  // namespace rmqsim::reports
