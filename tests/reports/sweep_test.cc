// The sweep's work list (reports/sweep.h): seeds as users write them, the order of grid points,
// shards that split the work without gaps or overlaps, run lines that read back, worst runs and
// replay commands a shell runs as printed.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "reports/sweep.h"
#include "tests/test_util.h"

namespace rmqsim::reports {
namespace {

SweepSpec Spec(size_t seeds, std::vector<SweepSet> sets, std::vector<std::string> profiles) {
  SweepSpec spec;
  spec.seeds = "1.." + std::to_string(seeds);
  for (uint64_t s = 1; s <= seeds; ++s) spec.seed_list.push_back(s);
  spec.sets = std::move(sets);
  spec.profiles = std::move(profiles);
  return spec;
}

std::string Error(std::string_view seeds) {
  absl::StatusOr<std::vector<uint64_t>> s = ParseSeeds(seeds, 1000);
  REQUIRE_FALSE(s.ok());
  return std::string(s.status().message());
}

TEST_CASE("Seeds: ranges and single seeds in the order given; mistakes are named", "[sweep]") {
  absl::StatusOr<std::vector<uint64_t>> s = ParseSeeds("7, 1..3,10", 1000);
  REQUIRE_OK(s);
  CHECK(*s == std::vector<uint64_t>{7, 1, 2, 3, 10});
  REQUIRE_OK(ParseSeeds("18446744073709551615", 1));
  CHECK(Error("3..1").find("range 3..1 is reversed") != std::string::npos);
  CHECK(Error("1..5,4").find("seed 4 is listed twice") != std::string::npos);
  CHECK(Error("1..5,2..9").find("seed 2 is listed twice") != std::string::npos);
  CHECK(Error("1..1000,2000").find("more than 1000 seeds") != std::string::npos);
  CHECK(Error("0..18446744073709551615").find("more than 1000 seeds") != std::string::npos);
  CHECK(Error("").find("'' is not a seed or a range") != std::string::npos);
  CHECK(Error("1-5").find("'1-5' is not a seed or a range") != std::string::npos);
  CHECK(Error("-1").find("'-1' is not a seed") != std::string::npos);
}

TEST_CASE("The first --set varies slowest, then seeds, then profiles", "[sweep]") {
  SweepSpec spec = Spec(3, {{"a", {"1", "2"}}, {"b", {"x", "y", "z"}}}, {"4.9.0", "4.9.3"});
  REQUIRE(spec.Points() == 6);
  REQUIRE(spec.WorkSize() == 36);
  CHECK(spec.PointValues(0) == std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "x"}});
  CHECK(spec.PointValues(2) == std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "z"}});
  CHECK(spec.PointValues(3) == std::vector<std::pair<std::string, std::string>>{{"a", "2"}, {"b", "x"}});
  SweepSpec::Item item = spec.At(17);  // (point 2 * 3 seeds + seed 2) * 2 profiles + profile 1
  CHECK(item.point == 2);
  CHECK(item.seed_index == 2);
  CHECK(item.profile_index == 1);
}

TEST_CASE("Shards cover the work list once, every profile of a seed together", "[sweep]") {
  SweepSpec spec = Spec(7, {{"a", {"1", "2", "3"}}}, {"4.9.0", "4.9.3", "5.3.3"});
  for (size_t count : {1, 2, 4, 5, 21, 30}) {
    INFO(count << " shards");
    std::vector<int> owners(spec.WorkSize(), 0);
    for (size_t index = 0; index < count; ++index) {
      Shard shard{index, count};
      size_t runs = 0;
      for (size_t i = 0; i < spec.WorkSize(); ++i) {
        if (!shard.Owns(spec, i)) continue;
        ++owners[i];
        ++runs;
        // The other profiles of this seed are in the same shard.
        size_t first = i - i % spec.profiles.size();
        for (size_t p = 0; p < spec.profiles.size(); ++p) CHECK(shard.Owns(spec, first + p));
      }
      CHECK(shard.Runs(spec) == runs);
    }
    CHECK(std::all_of(owners.begin(), owners.end(), [](int n) { return n == 1; }));
  }
}

sim::Summary LossSummary(int64_t lost, int64_t failed) {
  sim::Summary s;
  s.messages = 100;
  s.lost = lost;
  s.failed = failed;
  s.ok = 100 - failed;
  s.latency_p99_ms = 12.5;
  s.stored_by_broker["broker-a"] = 100 - lost;
  s.errors_by_type["RemotingConnectException"] = failed;
  return s;
}

TEST_CASE("Run lines read back; the worst run is the most lost, then failed, first on a tie",
          "[sweep]") {
  SweepSpec spec = Spec(4, {{"faults[0].at", {"5s", "it's"}}}, {"4.9.0"});
  spec.scenario_path = "my scenarios/x.yaml";
  const int64_t lost[] = {3, 7, 7, 1};
  const int64_t failed[] = {3, 7, 9, 1};
  std::vector<RunRecord> records;
  for (size_t i = 0; i < spec.WorkSize(); ++i) {
    std::string line = RunLine(spec, i, LossSummary(lost[i % 4], failed[i % 4]));
    absl::StatusOr<RunRecord> r = ParseRunLine(line);
    REQUIRE_OK(r);
    CHECK(r->index == i);
    CHECK(r->seed == spec.seed_list[i % 4]);
    records.push_back(*r);
  }
  CHECK(records[1].metrics[0] == std::pair<std::string, double>{"messages", 100});
  SweepSummary summary = SummarizeSweep(spec, records);
  REQUIRE(summary.groups.size() == 2);
  const GroupSummary& g = summary.groups[1];
  CHECK(g.point == 1);
  CHECK(g.runs == 4);
  REQUIRE(g.worst);
  CHECK(g.worst->seed == 3);  // seeds 2 and 3 lost 7; seed 3 failed more
  CHECK(g.worst->command ==
        "rmqsim run 'my scenarios/x.yaml' --seed 3 --set 'faults[0].at=it'\\''s'");
  const RateStats& loss = g.rates[0];
  CHECK(loss.name == "loss_rate");
  CHECK(loss.successes == 18);
  CHECK(loss.trials == 400);
  CHECK(loss.min == 0.01);
  CHECK(loss.max == 0.07);
  bool has_stored = false;
  for (const MetricStats& m : g.metrics) has_stored = has_stored || m.name == "stored.broker-a";
  CHECK(has_stored);
  CHECK_FALSE(ParseRunLine("{\"index\": -1}").ok());
  CHECK_FALSE(ParseRunLine("not json").ok());
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The page of a sweep of `sets`: two seeds, two profiles.
std::string Page(std::vector<SweepSet> sets, const std::string& name) {
  SweepSpec spec = Spec(2, std::move(sets), {"4.9.0", "4.9.3"});
  std::vector<std::string> lines;
  for (size_t i = 0; i < spec.WorkSize(); ++i) {
    lines.push_back(RunLine(spec, i, LossSummary(static_cast<int64_t>(i % 3), 0)));
  }
  std::filesystem::path dir = std::filesystem::path(RMQSIM_BINARY_DIR) / "sweep-test" / name;
  std::string table;
  REQUIRE_OK(WriteSweepOutputs(dir.string(), spec, lines, std::nullopt, &table));
  return Slurp(dir / "sweep.html");
}

TEST_CASE("sweep.html: error-bar plots per parameter, heatmaps for two parameters", "[sweep]") {
  std::string one = Page({{"a", {"1", "2", "3"}}}, "html-one");
  size_t metrics = Count(one, "<option value=");
  CHECK(metrics >= 7);
  // One plot per metric (one parameter), with an error bar per point and profile.
  CHECK(Count(one, "<svg class=\"errorbars\"") == metrics);
  CHECK(Count(one, "<svg class=\"heatmap\"") == 0);
  CHECK(one.find("95% CI") != std::string::npos);
  std::string two = Page({{"a", {"1", "2"}}, {"b", {"x", "y", "z"}}}, "html-two");
  CHECK(Count(two, "<svg class=\"errorbars\"") == 2 * metrics);
  CHECK(Count(two, "<svg class=\"heatmap\"") == 2 * metrics);  // per profile
  // Self-contained: no external resource.
  CHECK(two.find("src=") == std::string::npos);
  CHECK(two.find("href=") == std::string::npos);
}

}  // namespace
}  // namespace rmqsim::reports
