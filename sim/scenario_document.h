// A scenario file as its generic document tree (scenario_tree.h), before validation: what
// `--set` edits, what `rmqsim sweep` copies once per grid point and what `rmqsim shrink` reduces.
//
//   absl::StatusOr<ScenarioDocument> doc = ScenarioDocument::ReadFile("scenarios/x.yaml");
//   absl::Status st = doc->Set({"faults[0].at", "10s"});  // "x.yaml:17:3: --set faults[0].at: ..."
//   absl::StatusOr<Scenario> s = doc->Load();                 // "...:LINE:COL: ... (set by --set ...)"
//   std::string yaml = doc->ToYaml();                         // loads back to the same Scenario
//
// Copies share their tree; Set() copies the nodes along the path it edits (and YAML aliases are
// never edited in place), so editing a copy never changes the original. Not thread-safe to edit;
// concurrent Load() of one document is fine.
#ifndef RMQSIM_SIM_SCENARIO_DOCUMENT_H_
#define RMQSIM_SIM_SCENARIO_DOCUMENT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sim/scenario.h"
#include "sim/scenario_loader.h"
#include "sim/scenario_tree.h"

namespace rmqsim::sim {

class ScenarioDocument {
 public:
  // Reads the text into a tree (syntax, encoding and size problems are reported as the loader
  // reports them, with the validator's findings if a tree could be built). `path` names the
  // document in messages and picks YAML or JSON by its extension.
  static absl::StatusOr<ScenarioDocument> Parse(std::string_view text, const std::string& path,
                                                const LoadLimits& limits = {});
  static absl::StatusOr<ScenarioDocument> ReadFile(const std::string& path,
                                                   const LoadLimits& limits = {});
  // A document built in code (shrink candidates).
  ScenarioDocument(std::string path, loader::NodePtr root);

  // Applies one override (see ScenarioOverride). Path problems: InvalidArgument
  // "FILE:LINE:COL: --set PATH: what is wrong" (where the path stopped resolving); bad path syntax
  // or a value that is not YAML: "--set PATH=VALUE: ...". On error the document is unchanged.
  absl::Status Set(const ScenarioOverride& o);

  // Validates into a Scenario. Problems at a value an override placed end with
  // " (set by --set PATH=VALUE)".
  absl::StatusOr<Scenario> Load(const LoadLimits& limits = {}) const;

  // The document as block YAML: key order, quoting of strings and multi-line text kept, small
  // maps and lists of scalars in flow style. Loading it gives the same Scenario (the `path`
  // aside); positions are those of the new text.
  std::string ToYaml() const;

  const std::string& path() const { return path_; }
  const loader::NodePtr& root() const { return root_; }

 private:
  struct Applied {
    loader::Pos pos;
    std::string flag;  // "--set PATH=VALUE"
  };
  std::string path_;
  loader::NodePtr root_;
  std::vector<Applied> applied_;
};

namespace loader {

// A deep copy (shared subtrees become separate copies).
NodePtr CloneTree(const NodePtr& node);
// Block YAML for `root` (ScenarioDocument::ToYaml).
std::string EmitYaml(const Node& root);
// A scalar, list or map as one line of flow YAML ("{at: 20s, action: kill, target: broker-a}").
std::string EmitFlow(const Node& node);

}  // namespace loader
}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_SCENARIO_DOCUMENT_H_
