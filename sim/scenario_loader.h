// Scenario loader: a YAML or JSON scenario file (../shared/docs/scenario-format.md) turned into a
// validated sim::Scenario with the format's defaults applied.
//
// Both syntaxes are first read into one generic tree whose every node knows its line and column,
// and one validator walks that tree, so a YAML file and the equivalent JSON file give the same
// Scenario and the same messages. Validation does not stop at the first problem: a file that
// cannot be loaded gives an InvalidArgument status whose message has one line per problem,
//
//   scenarios/x.yaml:7:5: unknown key 'retry_time_when_send_failed' (did you mean ...?)
//   scenarios/x.yaml:12:14: producers[0].send[0].rate: rate must be greater than 0 (got '0/s')
//
// sorted by position (1-based line and column, counted in characters). Exceptions from yaml-cpp
// never leave the loader. Resource limits (file size, nesting, alias expansion, planned
// messages) keep a hostile file from exhausting memory or time.
//
//   absl::StatusOr<Scenario> s = LoadScenarioFile("scenarios/issue-3556.yaml");
//   if (!s.ok()) { std::cerr << s.status().message() << "\n"; return 2; }
#ifndef RMQSIM_SIM_SCENARIO_LOADER_H_
#define RMQSIM_SIM_SCENARIO_LOADER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/scenario.h"

namespace rmqsim::sim {

struct LoadLimits {
  // Planned sends summed over producers x instances x workloads (count, or rate x (until - start)).
  uint64_t max_messages = 50'000'000;
  // Entries of cluster.brokers, and the name server count.
  uint64_t max_brokers = 1000;
  // Bytes of the scenario file.
  size_t max_file_bytes = 16u << 20;
  // Nesting of maps and lists (at most 1000 whatever is set here).
  int max_depth = 64;
  // Nodes of the document after YAML aliases and merge keys are expanded (alias bombs).
  uint64_t max_nodes = 1'000'000;
  // `instances` of one producer or consumer entry.
  int64_t max_instances = 10'000;
  // Problems listed before the rest are summarised as "... and N more problems".
  size_t max_errors = 200;
  // The longest `duration` (virtual-time horizon): 366 days. Longer horizons would take hours of
  // periodic background work and bring every "now + delay" near the end of the 64-bit clock.
  SimDuration max_duration = SimDuration::Seconds(366LL * 24 * 3600);
};

// Reads and loads `path`. NotFoundError "PATH: cannot read file: ..." if it cannot be read;
// InvalidArgumentError (see above) if it is not a valid scenario. The format follows the
// extension: .yaml, .yml or .json.
absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path, const LoadLimits& limits = {});

// Loads a scenario from `text`; `path` names it in messages and picks the format by extension.
absl::StatusOr<Scenario> ParseScenario(std::string_view text, const std::string& path,
                                       const LoadLimits& limits = {});

// One `--set PATH=VALUE` (`rmqsim run`, `sweep`): the tree is edited before validation, so a set
// value is checked exactly like one written in the file. PATH names a value the way messages do
// ("producers[0].config.send_latency_fault_enable", "faults[1].at", "cluster.brokers[0].queues");
// a missing map key is added, `LIST[N]` with N the list's size appends. VALUE is YAML ("true",
// "5s", "[4.9.0]", "{at: 5s, action: kill, target: broker-b}"). Implemented in
// scenario_override.cc; scenario_document.h has the tree-level API.
struct ScenarioOverride {
  std::string path;
  std::string value;
  // "--set PATH=VALUE", as messages and reproduce commands name it.
  std::string Flag() const { return "--set " + path + "=" + value; }
};

// "PATH=VALUE" (the text after --set). InvalidArgument "--set TEXT: ..." if there is no '=' or the
// path is not PATH syntax (keys separated by '.', list indexes as [N]).
absl::StatusOr<ScenarioOverride> ParseOverrideFlag(std::string_view text);

// Like LoadScenarioFile / ParseScenario, with `overrides` applied in order before validation. A
// path the document lacks gives "FILE:LINE:COL: --set PATH: no producers[3] (the scenario has 1
// producer)", LINE:COL being where the path stopped resolving (here the producers list); a value
// that fails validation gives "FILE:LINE:COL: ... (set by --set PATH=VALUE)", LINE:COL being where
// the replaced value (or the map that receives a new key) is in the file. Every problem at once.
absl::StatusOr<Scenario> LoadScenarioFileWithOverrides(
    const std::string& path, const std::vector<ScenarioOverride>& overrides,
    const LoadLimits& limits = {});
absl::StatusOr<Scenario> ParseScenarioWithOverrides(std::string_view text, const std::string& path,
                                                    const std::vector<ScenarioOverride>& overrides,
                                                    const LoadLimits& limits = {});

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_SCENARIO_LOADER_H_
