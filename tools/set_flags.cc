// `--set` flags (shared by run, sweep and shrink) and reading the scenario a command names.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "tools/commands.h"
#include "tools/default_scenario.h"

namespace rmqsim::tools {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// Splits at commas that are not inside [...], {...} or quotes.
std::vector<std::string> SplitValues(std::string_view text) {
  std::vector<std::string> out;
  int depth = 0;
  char quote = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\' && quote == '"') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(Trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(Trim(text.substr(start)));
  return out;
}

std::string Msg(const absl::Status& s) { return std::string(s.message().data(), s.message().size()); }

}  // namespace

absl::StatusOr<std::vector<SetFlag>> ParseSetFlags(const std::vector<std::string>& flags) {
  std::vector<SetFlag> out;
  std::set<std::string> paths;
  for (const std::string& flag : flags) {
    absl::StatusOr<sim::ScenarioOverride> o = sim::ParseOverrideFlag(flag);
    if (!o.ok()) return o.status();
    SetFlag f{o->path, SplitValues(o->value)};
    if (f.values.size() > 1) {
      for (const std::string& v : f.values) {
        if (v.empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat("--set ", flag, ": an empty value in the list (values are separated by "
                                           "commas outside brackets and quotes)"));
        }
      }
    }
    if (!paths.insert(f.path).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--set ", f.path, ": given twice; list every value in one --set PATH=V1,V2"));
    }
    out.push_back(std::move(f));
  }
  return out;
}

absl::StatusOr<std::vector<sim::ScenarioOverride>> SingleValueOverrides(
    const std::vector<std::string>& flags) {
  absl::StatusOr<std::vector<SetFlag>> sets = ParseSetFlags(flags);
  if (!sets.ok()) return sets.status();
  std::vector<sim::ScenarioOverride> out;
  for (const SetFlag& s : *sets) {
    if (s.values.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--set ", s.path, ": `rmqsim run` takes one value (got ", s.values.size(),
          "); `rmqsim sweep` runs a list of values"));
    }
    out.push_back(sim::ScenarioOverride{s.path, s.values[0]});
  }
  return out;
}

absl::StatusOr<sim::ScenarioDocument> ReadScenario(const std::string& path, std::string* bytes,
                                                   const sim::LoadLimits& limits) {
  if (path.empty()) {
    *bytes = DefaultScenarioText();
    return sim::ScenarioDocument::Parse(*bytes, DefaultScenarioPath(), limits);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot read file: ", std::strerror(errno)));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot read file: ", std::strerror(errno)));
  }
  *bytes = ss.str();
  absl::StatusOr<sim::ScenarioDocument> doc = sim::ScenarioDocument::Parse(*bytes, path, limits);
  if (!doc.ok()) return absl::Status(doc.status().code(), Msg(doc.status()));
  return doc;
}

std::string GeneratorName() {
  return std::string("rmqsim ") + RMQSIM_VERSION + " (" + RMQSIM_GIT_COMMIT + ")";
}

}  // namespace rmqsim::tools
