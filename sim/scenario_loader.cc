// The loader's entry points: a scenario is read into its document tree (scenario_document.cc:
// format, size, encoding, YAML or JSON) and validated from it, so `rmqsim run FILE` and
// `rmqsim run FILE --set ...` report a file's problems identically.
#include "sim/scenario_loader.h"

#include "sim/scenario_document.h"

namespace rmqsim::sim {

absl::StatusOr<Scenario> ParseScenario(std::string_view text, const std::string& path,
                                       const LoadLimits& limits) {
  absl::StatusOr<ScenarioDocument> doc = ScenarioDocument::Parse(text, path, limits);
  if (!doc.ok()) return doc.status();
  return doc->Load(limits);
}

absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path, const LoadLimits& limits) {
  absl::StatusOr<ScenarioDocument> doc = ScenarioDocument::ReadFile(path, limits);
  if (!doc.ok()) return doc.status();
  return doc->Load(limits);
}

}  // namespace rmqsim::sim
