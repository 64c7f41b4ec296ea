// Subcommands defined outside main.cc: `sweep`, `merge` (tools/sweep.cc) and `shrink`
// (tools/shrink.cc), and the `--set` flag handling they share with `run` (tools/set_flags.cc).
//
//   for (auto& [cmd, fn] : rmqsim::tools::AddScaleOutCommands(app)) ...   // before app.parse
//   if (*cmd) return fn();                                                 // after
#ifndef RMQSIM_TOOLS_COMMANDS_H_
#define RMQSIM_TOOLS_COMMANDS_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "sim/scenario_document.h"
#include "sim/scenario_loader.h"

namespace rmqsim::tools {

// A subcommand and the function that runs it (returns the exit status) when it was chosen.
using Command = std::pair<CLI::App*, std::function<int()>>;

// Registers `sweep`, `merge` and `shrink` on `app`.
std::vector<Command> AddScaleOutCommands(CLI::App& app);
// `shrink` alone (tools/shrink.cc).
Command AddShrinkCommand(CLI::App& app);

// One `--set PATH=V1,V2,...`: values split at commas outside brackets, braces and quotes, so
// `--set 'compare=[4.9.0,4.9.3]'` is one value.
struct SetFlag {
  std::string path;
  std::vector<std::string> values;
};
// Parses every --set; InvalidArgument naming the flag (bad path syntax, no '=', an empty value
// list, a path given twice).
absl::StatusOr<std::vector<SetFlag>> ParseSetFlags(const std::vector<std::string>& flags);
// For `rmqsim run`: one value per --set (a list is an error pointing at `rmqsim sweep`).
absl::StatusOr<std::vector<sim::ScenarioOverride>> SingleValueOverrides(
    const std::vector<std::string>& flags);

// The scenario at `path` as a document, or the built-in default when `path` is empty. `bytes`
// receives the file's bytes (for the scenario hash).
absl::StatusOr<sim::ScenarioDocument> ReadScenario(const std::string& path, std::string* bytes,
                                                   const sim::LoadLimits& limits = {});

// "rmqsim 0.1.0 (abc123)".
std::string GeneratorName();

}  // namespace rmqsim::tools

#endif  // RMQSIM_TOOLS_COMMANDS_H_
