// rmqsim_hold_bench: the hold model on every event queue this build has, side by side.
//
//   rmqsim_hold_bench --pending 10000 --events 2000000 --mean-ns 100 --reps 3
//
// Prints one tab-separated line per engine: engine, mean_ns, pending, events, then for the timed
// part the median CPU seconds, events per CPU second, median wall seconds, events per wall second,
// and the final virtual time (ns). Exits 1 if two engines disagree on the final virtual time, i.e.
// did not execute the same event sequence. tools/bench.sh drives it.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "tools/bench/hold_model.h"

namespace rmqsim::bench {
namespace {

struct Engine {
  std::string name;
  std::function<HoldResult(const HoldSpec&)> run;
};

std::vector<Engine> AllEngines() {
  std::vector<Engine> engines{{"rmqsim", RunRmqsim}};
#ifdef RMQSIM_BENCH_HAVE_NS3
  for (const char* type : {"PriorityQueue", "Map", "Heap", "Calendar"}) {
    std::string ns3_type = std::string("ns3::") + type + "Scheduler";
    engines.push_back({std::string("ns3-") + type,
                       [ns3_type](const HoldSpec& s) { return RunNs3(s, ns3_type); }});
  }
#endif
  engines.push_back({"std-priority-queue", RunStdPriorityQueue});
  return engines;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

bool WriteDelays(const DelayTable& table, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  const std::vector<int64_t>& raw = table.raw();
  out.write(reinterpret_cast<const char*>(raw.data()),
            static_cast<std::streamsize>(raw.size() * sizeof(int64_t)));
  return static_cast<bool>(out);
}

int Main(int argc, char** argv) {
  CLI::App app{"Hold-model benchmark of rmqsim's scheduler against other event queues"};
  uint64_t pending = 1000;
  uint64_t events = 1000000;
  int64_t mean_ns = 100;
  int reps = 3;
  uint64_t seed = 1;
  size_t table_size = size_t{1} << 20;
  std::vector<std::string> only;
  std::string delays_path;
  bool list = false;
  app.add_option("--pending", pending, "events kept pending (P)")->check(CLI::PositiveNumber);
  app.add_option("--events", events, "executed events timed")->check(CLI::PositiveNumber);
  app.add_option("--mean-ns", mean_ns, "mean of the exponential delay")->check(CLI::PositiveNumber);
  app.add_option("--reps", reps, "runs per engine; the median is reported")
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "seed of the delay table");
  app.add_option("--table-size", table_size, "delays drawn up front (rounded up to 2^k)");
  app.add_option("--engines", only, "run only these engines")->delimiter(',');
  app.add_option("--write-delays", delays_path, "write the delay table (raw int64) and exit");
  app.add_flag("--list-engines", list, "print the engines this build has and exit");
  CLI11_PARSE(app, argc, argv);

  std::vector<Engine> engines = AllEngines();
  if (list) {
    for (const Engine& e : engines) std::printf("%s\n", e.name.c_str());
    return 0;
  }
  DelayTable table(mean_ns, seed, table_size);
  if (!delays_path.empty()) return WriteDelays(table, delays_path) ? 0 : 1;
  if (!only.empty()) {
    std::erase_if(engines, [&](const Engine& e) {
      return std::find(only.begin(), only.end(), e.name) == only.end();
    });
  }

  HoldSpec spec{&table, pending, events};
  std::vector<std::vector<double>> cpu(engines.size());
  std::vector<std::vector<double>> wall(engines.size());
  std::vector<int64_t> final_time(engines.size(), -1);
  // Round-robin repetitions, so that a slow phase of the machine hits every engine alike.
  for (int r = 0; r < reps; ++r) {
    for (size_t i = 0; i < engines.size(); ++i) {
      HoldResult res = engines[i].run(spec);
      cpu[i].push_back(res.cpu_seconds);
      wall[i].push_back(res.wall_seconds);
      final_time[i] = res.final_time_ns;
    }
  }
  int status = 0;
  for (size_t i = 0; i < engines.size(); ++i) {
    double cpu_s = Median(cpu[i]);
    double wall_s = Median(wall[i]);
    double n = static_cast<double>(events);
    std::printf("%s\t%lld\t%llu\t%llu\t%.6f\t%.0f\t%.6f\t%.0f\t%lld\n", engines[i].name.c_str(),
                static_cast<long long>(mean_ns), static_cast<unsigned long long>(pending),
                static_cast<unsigned long long>(events), cpu_s, n / cpu_s, wall_s, n / wall_s,
                static_cast<long long>(final_time[i]));
    if (final_time[i] != final_time[0]) {
      std::fprintf(stderr, "hold_bench: %s ended at %lld ns, %s at %lld ns: not the same work\n",
                   engines[i].name.c_str(), static_cast<long long>(final_time[i]),
                   engines[0].name.c_str(), static_cast<long long>(final_time[0]));
      status = 1;
    }
  }
  return status;
}

}  // namespace
}  // namespace rmqsim::bench

int main(int argc, char** argv) { return rmqsim::bench::Main(argc, argv); }
