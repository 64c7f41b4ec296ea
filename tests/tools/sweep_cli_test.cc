// `rmqsim sweep`, `merge`, `shrink` and `run --set`, run as a user runs them: a small version of
// the 1000-seed acceptance sweep gives the same bytes on 1 and 2 threads and as 4 merged shards
// (also when the shard comes from Slurm or Kubernetes variables); 4.9.0 loses and 4.9.3 does not;
// the worst run's command replays it; bad --set paths exit 2 naming the path; shrink cuts the
// bloated #3556 scenario down to one fault and one workload that still lose under 4.9.0.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "nlohmann/json.hpp"
#include "sim/profile.h"
#include "sim/run.h"
#include "sim/scenario_loader.h"

namespace {

namespace fs = std::filesystem;

struct Result {
  int status;
  std::string out;
};

// Runs `ENV rmqsim ARGS` from the repository root, stdout and stderr together. The shard variables
// of the environment the tests run in (a Slurm array, say) are removed first.
Result Rmqsim(const std::string& args, const std::string& env = "") {
  std::string cmd = std::string("cd '") + RMQSIM_SOURCE_DIR +
                    "' && env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_COUNT "
                    "-u SLURM_ARRAY_TASK_MIN -u SLURM_ARRAY_TASK_STEP -u JOB_COMPLETION_INDEX "
                    "-u RMQSIM_SHARD_COUNT " +
                    env + " '" + RMQSIM_BINARY + "' " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path Path(const std::string& name) { return fs::path(RMQSIM_BINARY_DIR) / "sweep-test" / name; }

// A fresh (removed) output directory.
fs::path Dir(const std::string& name) {
  fs::remove_all(Path(name));
  return Path(name);
}

// The first number on the comparison row of `metric` in `rmqsim run` output.
long RowValue(const std::string& out, const std::string& metric) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string w;
    words >> w;
    if (w == "*") words >> w;
    if (w != metric) continue;
    long v = -1;
    words >> v;
    return v;
  }
  return -1;
}

const char* kFiles[] = {"runs.jsonl", "summary.json", "table.txt", "sweep.html"};

// The acceptance sweep in small: the default scenario, latency fault off and on.
const std::string kSweep =
    "sweep --seeds 1..40 --set producers[0].config.send_latency_fault_enable=false,true --quiet";

void CheckSameOutputs(const fs::path& a, const fs::path& b) {
  for (const char* f : kFiles) {
    INFO(f);
    std::string x = Slurp(a / f);
    CHECK(!x.empty());
    CHECK(x == Slurp(b / f));
  }
}

TEST_CASE("sweep: same bytes on 1 and 2 threads and from 4 merged shards", "[cli][sweep]") {
  fs::path one = Dir("threads-1"), two = Dir("threads-2"), merged = Dir("merged");
  REQUIRE(Rmqsim(kSweep + " --threads 1 --out " + one.string()).status == 0);
  REQUIRE(Rmqsim(kSweep + " --threads 2 --out " + two.string()).status == 0);
  CheckSameOutputs(one, two);
  std::string shards;
  for (int i = 0; i < 4; ++i) {
    fs::path d = Dir("shard-" + std::to_string(i));
    Result r = Rmqsim(kSweep + " --threads 2 --shard " + std::to_string(i) + "/4 --out " + d.string());
    REQUIRE(r.status == 0);
    shards.append(" ").append(d.string());
  }
  Result m = Rmqsim("merge" + shards + " --out " + merged.string());
  INFO(m.out);
  REQUIRE(m.status == 0);
  CheckSameOutputs(one, merged);
  // merge prints the table the sweep writes.
  CHECK(m.out.find(Slurp(one / "table.txt")) != std::string::npos);

  // Slurp job array (tasks 1..4) and Kubernetes Indexed Job variables pick the same slices.
  fs::path slurm = Dir("slurm-1"), k8s = Dir("k8s-2");
  REQUIRE(Rmqsim(kSweep + " --out " + slurm.string(),
                 "SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=4")
              .status == 0);
  CheckSameOutputs(Path("shard-1"), slurm);
  REQUIRE(Rmqsim(kSweep + " --shard-count 4 --out " + k8s.string(), "JOB_COMPLETION_INDEX=2")
              .status == 0);
  CheckSameOutputs(Path("shard-2"), k8s);
  CHECK(Rmqsim(kSweep + " --out " + Dir("k8s-bad").string(), "JOB_COMPLETION_INDEX=2").status == 2);

  // A missing shard is named; a shard of another sweep is refused.
  Result missing = Rmqsim("merge " + Path("shard-0").string() +
                          " --out " + Dir("partial").string());
  CHECK(missing.status == 2);
  CHECK(missing.out.find("missing shards 1/4, 2/4, 3/4") != std::string::npos);
}

TEST_CASE("sweep: 4.9.0 loses and 4.9.3 does not; the worst run replays", "[cli][sweep]") {
  fs::path d = Dir("default");
  REQUIRE(Rmqsim(kSweep + " --compare 4.9.0,4.9.3 --out " + d.string()).status == 0);
  nlohmann::json s = nlohmann::json::parse(Slurp(d / "summary.json"));
  CHECK(s["format"] == "rmqsim-sweep/1");
  CHECK(s["sweep"]["runs"] == 160);
  REQUIRE(s["points"].size() == 2);
  for (const auto& point : s["points"]) {
    for (const auto& g : point["profiles"]) {
      INFO(point["set"].dump() << " " << g["profile"]);
      CHECK(g["runs"] == 40);
      double lost = g["metrics"]["lost"]["mean"];
      double loss_high = g["rates"]["loss_rate"]["ci95"][1];
      if (g["profile"] == "4.9.0") {
        CHECK(lost >= 1);
        CHECK(g["rates"]["runs_losing"]["value"] == 1);
        CHECK(g["rates"]["loss_rate"]["ci95"][0] > 0);
      } else {
        // 4.9.3 retries async sends; at most the one message sent at the kill instant is lost.
        CHECK(g["metrics"]["lost"]["max"] <= 1);
        CHECK(loss_high < 0.01);
      }
    }
  }
  // The printed table starts with the answer: every 4.9.0 run lost messages, few 4.9.3 runs did.
  std::string table = Slurp(d / "table.txt");
  size_t overview = table.find("Overview: lost messages per run");
  REQUIRE(overview != std::string::npos);
  std::istringstream rows(table.substr(overview));
  std::string row;
  int losing_rows = 0;
  while (std::getline(rows, row) && !row.empty()) {
    std::istringstream words(row);
    std::string profile;
    words >> profile;
    if (profile == "4.9.0") CHECK(row.find("100.00%") != std::string::npos);
    if (profile == "4.9.0") ++losing_rows;
  }
  CHECK(losing_rows == 2);
  // The worst 4.9.0 run of the first grid point, replayed.
  const auto& worst = s["points"][0]["profiles"][0]["worst"];
  std::string cmd = worst["command"];
  REQUIRE(cmd.rfind("rmqsim run --seed ", 0) == 0);
  CHECK(cmd.find(" --compare 4.9.0,4.9.3 --set 'producers[0].config.send_latency_fault_enable=false'") !=
        std::string::npos);
  Result replay = Rmqsim(cmd.substr(std::string("rmqsim ").size()));
  REQUIRE(replay.status == 0);
  long lost = worst["lost"];
  CHECK(RowValue(replay.out, "lost") == lost);
  // Every run is one JSON line naming its grid point, seed and profile.
  std::istringstream runs(Slurp(d / "runs.jsonl"));
  std::string line;
  int n = 0;
  while (std::getline(runs, line)) {
    nlohmann::json j = nlohmann::json::parse(line);
    CHECK(j["index"] == n++);
    CHECK(j["metrics"].contains("lost"));
  }
  CHECK(n == 160);
  std::string html = Slurp(d / "sweep.html");
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("src=\"http") == std::string::npos);
  CHECK(html.find("href=\"http") == std::string::npos);
}

TEST_CASE("sweep and run: a bad --set path or value exits 2, names it and runs nothing",
          "[cli][sweep][set]") {
  fs::path d = Dir("bad-set");
  Result r = Rmqsim("sweep --seeds 1..5 --set producers[3].config.x=1,2 --out " + d.string());
  CHECK(r.status == 2);
  // At the producers list of the built-in scenario (line 34, column 3).
  CHECK(r.out.find("scenarios/broker-down-mid-async-send.yaml:34:3: --set producers[3].config.x: "
                   "no producers[3] (the scenario has 1 producer)") != std::string::npos);
  CHECK_FALSE(fs::exists(d));
  Result v = Rmqsim("sweep tests/scenarios/shrink/issue-3556-bloated.yaml --seeds 1..5 "
                    "--set 'faults[1].at=5s,500s' --out " + d.string());
  CHECK(v.status == 2);
  CHECK(v.out.find("tests/scenarios/shrink/issue-3556-bloated.yaml:38:10: faults[1].at: 8m20s is "
                   "beyond the scenario duration (1m30s) (set by --set faults[1].at=500s)") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(d));
  Result run = Rmqsim("run --set producers[3].config.x=1");
  CHECK(run.status == 2);
  CHECK(run.out.find("--set producers[3].config.x: no producers[3]") != std::string::npos);
  Result none = Rmqsim("sweep --seeds 1..5 --compare , --out " + d.string());
  CHECK(none.status == 2);
  CHECK(none.out.find("--compare: no profile named") != std::string::npos);
  CHECK_FALSE(fs::exists(d));
  Result list = Rmqsim("run --set faults[0].at=5s,10s");
  CHECK(list.status == 2);
  CHECK(list.out.find("`rmqsim run` takes one value") != std::string::npos);
  Result ok = Rmqsim("run --set faults[0].at=30s --set producers[0].config.send_latency_fault_enable=true "
                     "--compare 4.9.0");
  CHECK(ok.status == 0);
}

TEST_CASE("--set takes one value per flag: a scenario path after it is the scenario",
          "[cli][sweep][set]") {
  Result run = Rmqsim("run --set faults[0].at=30s scenarios/hung-broker-async.yaml --compare 4.9.0");
  INFO(run.out);
  CHECK(run.status == 0);
  CHECK(run.out.find("scenario hung-broker-async,") != std::string::npos);
  fs::path d = Dir("positional");
  Result sweep = Rmqsim("sweep --seeds 1..2 --compare 4.9.0 --quiet --set faults[0].at=5s,10s "
                        "scenarios/hung-broker-async.yaml --out " + d.string());
  INFO(sweep.out);
  REQUIRE(sweep.status == 0);
  nlohmann::json s = nlohmann::json::parse(Slurp(d / "summary.json"));
  CHECK(s["sweep"]["scenario"]["path"] == "scenarios/hung-broker-async.yaml");
  CHECK(s["sweep"]["runs"] == 4);
}

TEST_CASE("sweep.html escapes every scenario string", "[cli][sweep]") {
  fs::path d = Dir("hostile");
  fs::path scenario = Path("hostile.yaml");
  std::string text = Slurp(fs::path(RMQSIM_SOURCE_DIR) / "scenarios/broker-down-mid-async-send.yaml");
  text.replace(text.find("title: \""), 8, "title: \"<script>alert(1)</script> & <img src=x onerror=alert(2)> ");
  fs::create_directories(scenario.parent_path());
  std::ofstream(scenario) << text;
  Result r = Rmqsim("sweep " + scenario.string() + " --seeds 1..2 --compare 4.9.0 --quiet "
                    "--set 'producers[0].send[0].body_size=128,<b>' --out " + d.string());
  CHECK(r.status == 2);  // '<b>' is not a size: nothing runs
  r = Rmqsim("sweep " + scenario.string() + " --seeds 1..2 --compare 4.9.0 --quiet --out " + d.string());
  REQUIRE(r.status == 0);
  std::string html = Slurp(d / "sweep.html");
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img") != std::string::npos);
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
}

rmqsim::sim::Summary RunShrunk(const rmqsim::sim::Scenario& s, const char* profile) {
  rmqsim::sim::RunOptions opts;
  opts.record_events = false;
  return rmqsim::sim::RunScenario(s, *rmqsim::sim::FindProfile(profile), opts).summary;
}

TEST_CASE("shrink cuts the bloated #3556 scenario to one fault and one workload", "[cli][shrink]") {
  fs::path out = Path("shrunk.yaml");
  fs::create_directories(out.parent_path());
  fs::remove(out);
  const std::string cmd = "shrink tests/scenarios/shrink/issue-3556-bloated.yaml --until "
                          "'4.9.0.lost > 0' --out " + out.string();
  Result r = Rmqsim(cmd);
  INFO(r.out);
  REQUIRE(r.status == 0);
  absl::StatusOr<rmqsim::sim::Scenario> s = rmqsim::sim::LoadScenarioFile(out.string());
  REQUIRE(s.ok());
  CHECK(s->faults.size() == 1);
  CHECK(s->faults[0].action == rmqsim::sim::FaultAction::kKill);
  REQUIRE(s->producers.size() == 1);
  CHECK(s->producers[0].send.size() == 1);
  CHECK(s->producers[0].send[0].mode == rmqsim::sim::SendMode::kAsync);
  CHECK(s->cluster.brokers.size() < 5);
  CHECK(RunShrunk(*s, "4.9.0").lost > 0);
  // The file says how it was made, and `rmqsim check` asserts the condition.
  std::string text = Slurp(out);
  CHECK(text.rfind("# Shrunk by `rmqsim shrink` from tests/scenarios/shrink/issue-3556-bloated.yaml", 0) == 0);
  CHECK(text.find("#   1. faults: kept ") != std::string::npos);
  CHECK(Rmqsim("check " + out.string()).status == 0);
  // With one profile named, the smallest loss is one every profile has: the output says so.
  CHECK(r.out.find("note: 4.9.3 meets the condition too") != std::string::npos);
  // Deterministic: the same input gives the same file.
  fs::remove(out);
  REQUIRE(Rmqsim(cmd + " --quiet").status == 0);
  CHECK(Slurp(out) == text);
}

TEST_CASE("shrink with a comparison between profiles keeps the #3556 difference", "[cli][shrink]") {
  fs::path out = Path("shrunk-diff.yaml");
  fs::create_directories(out.parent_path());
  fs::remove(out);
  Result r = Rmqsim("shrink tests/scenarios/shrink/issue-3556-bloated.yaml --until "
                    "'4.9.0.lost > 4.9.3.lost' --out " + out.string());
  INFO(r.out);
  REQUIRE(r.status == 0);
  absl::StatusOr<rmqsim::sim::Scenario> s = rmqsim::sim::LoadScenarioFile(out.string());
  REQUIRE(s.ok());
  CHECK(s->faults.size() == 1);
  CHECK(s->producers.size() == 1);
  CHECK(s->producers[0].send.size() == 1);
  CHECK(s->cluster.brokers.size() == 2);  // 4.9.3 needs a broker to retry on
  CHECK(RunShrunk(*s, "4.9.0").lost > RunShrunk(*s, "4.9.3").lost);
  CHECK(r.out.find("note:") == std::string::npos);
  // `expect` pins the comparison: 4.9.0 above 4.9.3's value, 4.9.3 at most that.
  Result check = Rmqsim("check " + out.string());
  CHECK(check.status == 0);
  CHECK(check.out.find("PASS") != std::string::npos);
}

TEST_CASE("shrink: a condition that does not hold exits 1; a bad one exits 2", "[cli][shrink]") {
  CHECK(Rmqsim("shrink --until '4.9.3.lost > 0'").status == 1);
  Result bad = Rmqsim("shrink --until '4.9.0.lots > 0'");
  CHECK(bad.status == 2);
  CHECK(bad.out.find("unknown metric 'lots'") != std::string::npos);
  CHECK(Rmqsim("shrink --until '9.9.9.lost > 0'").status == 2);
  Result rhs = Rmqsim("shrink --until '4.9.0.lost > 4.9.3.lots'");
  CHECK(rhs.status == 2);
  CHECK(rhs.out.find("unknown metric 'lots'") != std::string::npos);
  CHECK(Rmqsim("shrink --until '4.9.0.lost >'").status == 2);
  CHECK(Rmqsim("shrink --until '0 < 4.9.0.lost'").status == 2);
  // --max-runs 0 still checks the scenario as given, and writes it unshrunk.
  Result zero = Rmqsim("shrink --until '4.9.0.lost > 0' --max-runs 0 --quiet");
  CHECK(zero.status == 0);
  CHECK(zero.out.find("stopped at --max-runs") != std::string::npos);
}

}  // namespace
