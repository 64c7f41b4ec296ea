// ScenarioDocument: reading a scenario into its tree (format by extension, size limit, byte order
// mark, encoding, YAML or JSON reader) and validating a (possibly edited) tree. The loader's entry
// points (scenario_loader.cc) are these two steps; editing is in scenario_override.cc, YAML output
// in scenario_yaml_emit.cc.
#include "sim/scenario_document.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "sim/scenario_check.h"

namespace rmqsim::sim {
namespace {

using loader::Cat;

enum class Format { kYaml, kJson, kUnknown };

Format FormatOf(const std::string& path) {
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return Format::kUnknown;
  }
  std::string ext = absl::AsciiStrToLower(path.substr(dot + 1));
  if (ext == "yaml" || ext == "yml") return Format::kYaml;
  if (ext == "json") return Format::kJson;
  return Format::kUnknown;
}

absl::Status TooBig(const std::string& path, size_t size, const LoadLimits& limits) {
  return absl::InvalidArgumentError(Cat(path, ": the file has ", size, " bytes; the limit is ",
                                        limits.max_file_bytes, " (--max-file-bytes)"));
}

// "PATH:LINE:COL: ..." -> {LINE, COL}; {0, 0} for a line without a position.
loader::Pos LinePos(std::string_view line, std::string_view path) {
  loader::Pos pos;
  if (line.substr(0, path.size()) != path || line.size() <= path.size() ||
      line[path.size()] != ':') {
    return pos;
  }
  size_t i = path.size() + 1;
  auto number = [&](int* out) {
    size_t start = i;
    long v = 0;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9' && i - start < 9) {
      v = v * 10 + (line[i++] - '0');
    }
    *out = static_cast<int>(v);
    return i > start && i < line.size() && line[i++] == ':';
  };
  int l = 0, c = 0;
  if (number(&l) && number(&c)) pos = loader::Pos{l, c};
  return pos;
}

}  // namespace

ScenarioDocument::ScenarioDocument(std::string path, loader::NodePtr root)
    : path_(std::move(path)), root_(std::move(root)) {}

absl::StatusOr<ScenarioDocument> ScenarioDocument::Parse(std::string_view text,
                                                         const std::string& path,
                                                         const LoadLimits& limits) {
  Format format = FormatOf(path);
  if (format == Format::kUnknown) {
    return absl::InvalidArgumentError(
        Cat(path, ": unknown scenario format; expected a .yaml, .yml or .json file"));
  }
  if (text.size() > limits.max_file_bytes) return TooBig(path, text.size(), limits);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  try {
    loader::SourceText source(text);
    loader::Diagnostics diags;
    loader::NodePtr root;
    if (loader::CheckEncoding(source, diags)) {
      root = format == Format::kYaml ? loader::ReadYaml(source, limits, diags)
                                     : loader::ReadJson(source, limits, diags);
    }
    if (diags.empty() && root) return ScenarioDocument(path, root);
    // Report what the loader would: the reading problems with the validator's findings.
    Scenario scenario;
    scenario.path = path;
    loader::Ctx ctx(limits, diags, scenario);
    if (root) loader::CheckScenario(ctx, *root);
    return absl::InvalidArgumentError(diags.Format(path, limits.max_errors));
  } catch (const std::exception& e) {
    return absl::InternalError(Cat(path, ": cannot load scenario: ", e.what()));
  }
}

absl::StatusOr<ScenarioDocument> ScenarioDocument::ReadFile(const std::string& path,
                                                            const LoadLimits& limits) {
  std::ifstream in(path, std::ios::binary);
  std::string text;
  char buffer[1 << 16];
  while (in && text.size() <= limits.max_file_bytes) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<size_t>(in.gcount()));
  }
  if (in.bad() || (!in.eof() && text.size() <= limits.max_file_bytes)) {
    return absl::NotFoundError(Cat(path, ": cannot read file: ", std::strerror(errno)));
  }
  if (text.size() > limits.max_file_bytes) {
    std::error_code ec;
    uintmax_t size = std::filesystem::file_size(path, ec);
    return TooBig(path, ec ? text.size() : static_cast<size_t>(size), limits);
  }
  return Parse(text, path, limits);
}

absl::StatusOr<Scenario> ScenarioDocument::Load(const LoadLimits& limits) const {
  try {
    loader::Diagnostics diags;
    Scenario scenario;
    scenario.path = path_;
    loader::Ctx ctx(limits, diags, scenario);
    loader::CheckScenario(ctx, *root_);
    if (diags.empty()) return scenario;
    std::string text = diags.Format(path_, limits.max_errors);
    if (applied_.empty()) return absl::InvalidArgumentError(text);
    std::string out;
    for (absl::string_view piece : absl::StrSplit(text, '\n')) {
      std::string_view line(piece.data(), piece.size());
      if (!out.empty()) out += "\n";
      out.append(line.data(), line.size());
      loader::Pos pos = LinePos(line, path_);
      if (pos.line == 0) continue;
      std::vector<std::string> flags;
      for (const Applied& a : applied_) {
        if (a.pos.line == pos.line && a.pos.column == pos.column &&
            std::find(flags.begin(), flags.end(), a.flag) == flags.end()) {
          flags.push_back(a.flag);
        }
      }
      if (!flags.empty()) out += Cat(" (set by ", loader::JoinStrings(flags, ", "), ")");
    }
    return absl::InvalidArgumentError(out);
  } catch (const std::exception& e) {
    return absl::InternalError(Cat(path_, ": cannot load scenario: ", e.what()));
  }
}

std::string ScenarioDocument::ToYaml() const { return loader::EmitYaml(*root_); }

namespace loader {

NodePtr CloneTree(const NodePtr& node) {
  auto copy = std::make_shared<Node>(*node);
  for (NodePtr& item : copy->items) item = CloneTree(item);
  for (Entry& e : copy->entries) e.value = CloneTree(e.value);
  return copy;
}

}  // namespace loader
}  // namespace rmqsim::sim
