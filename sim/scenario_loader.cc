#include "sim/scenario_loader.h"

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "sim/scenario_check.h"
#include "sim/scenario_tree.h"

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

absl::StatusOr<Scenario> Parse(std::string_view text, const std::string& path,
                               const LoadLimits& limits) {
  Format format = FormatOf(path);
  if (format == Format::kUnknown) {
    return absl::InvalidArgumentError(
        Cat(path, ": unknown scenario format; expected a .yaml, .yml or .json file"));
  }
  if (text.size() > limits.max_file_bytes) return TooBig(path, text.size(), limits);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  loader::SourceText source(text);
  loader::Diagnostics diags;
  Scenario scenario;
  scenario.path = path;
  if (loader::CheckEncoding(source, diags)) {
    loader::NodePtr root = format == Format::kYaml ? loader::ReadYaml(source, limits, diags)
                                                   : loader::ReadJson(source, limits, diags);
    loader::Ctx ctx(limits, diags, scenario);
    if (root) loader::CheckScenario(ctx, *root);
  }
  if (!diags.empty()) return absl::InvalidArgumentError(diags.Format(path, limits.max_errors));
  return scenario;
}

}  // namespace

absl::StatusOr<Scenario> ParseScenario(std::string_view text, const std::string& path,
                                       const LoadLimits& limits) {
  try {
    return Parse(text, path, limits);
  } catch (const std::exception& e) {
    return absl::InternalError(Cat(path, ": cannot load scenario: ", e.what()));
  }
}

absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path, const LoadLimits& limits) {
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
  return ParseScenario(text, path, limits);
}

}  // namespace rmqsim::sim
