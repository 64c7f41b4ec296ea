// The sweep's output files (sweep.h): the printed table, summary.json, and merging shards.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "reports/escape.h"
#include "reports/output_file.h"
#include "reports/sweep.h"
#include "reports/sweep_internal.h"

namespace rmqsim::reports {
namespace {

namespace fs = std::filesystem;

std::string Pad(std::string s, size_t width, bool right) {
  if (s.size() >= width) return s;
  std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

std::string CiText(const std::optional<Interval>& ci, bool percent) {
  if (!ci) return "-";
  auto f = [&](double v) { return percent ? FormatPercent(v) : FormatValue(v); };
  return absl::StrCat("[", f(ci->low), ", ", f(ci->high), "]");
}

const char* kConfidence = "95% confidence intervals: Student t for means, Wilson score for rates";

std::string Header(const SweepSpec& spec, const std::optional<Shard>& shard, size_t runs) {
  std::string out = absl::StrCat(
      "Sweep of ", spec.scenario_id, ": ", spec.Points(), " grid point",
      spec.Points() == 1 ? "" : "s", " x ", spec.seed_list.size(), " seed",
      spec.seed_list.size() == 1 ? "" : "s", " x ", spec.profiles.size(), " profile",
      spec.profiles.size() == 1 ? "" : "s", " = ", spec.WorkSize(), " runs\n");
  absl::StrAppend(&out, "scenario ",
                  spec.scenario_path.empty() ? "(built-in default)" : spec.scenario_path, " (",
                  spec.scenario_hash, "), seeds ", spec.seeds, "\n");
  if (shard) {
    absl::StrAppend(&out, "shard ", shard->index, "/", shard->count, ": ", runs, " of ",
                    spec.WorkSize(), " runs (rmqsim merge combines the shards)\n");
  }
  absl::StrAppend(&out, kConfidence, "\n");
  return out;
}

void AppendGroup(std::string& out, const SweepSpec& spec, const GroupSummary& g) {
  absl::StrAppend(&out, "\n[", g.point + 1, "/", spec.Points(), "] ", PointLabel(spec, g.point),
                  "  |  ", g.profile, "  |  ", g.runs, " run", g.runs == 1 ? "" : "s", "\n");
  auto row = [&](const std::string& name, const std::string& mean, const std::string& ci,
                 const std::string& min, const std::string& max) {
    absl::StrAppend(&out, "  ", Pad(name, 20, false), Pad(mean, 11, true), "  ", Pad(ci, 26, false),
                    Pad(min, 11, true), Pad(max, 11, true), "\n");
  };
  row("metric", "mean", "95% CI", "min", "max");
  std::vector<std::string> shown = TableMetrics(g);
  for (const MetricStats& m : g.metrics) {
    if (std::find(shown.begin(), shown.end(), m.name) == shown.end()) continue;
    row(m.name, FormatValue(m.stats.mean), CiText(m.stats.ci95, false), FormatValue(m.stats.min),
        FormatValue(m.stats.max));
  }
  for (const RateStats& r : g.rates) {
    row(r.name, FormatPercent(r.value), CiText(r.ci95, true), FormatPercent(r.min),
        FormatPercent(r.max));
  }
  if (g.worst) {
    absl::StrAppend(&out, "  worst run: seed ", g.worst->seed, " (lost ", FormatValue(g.worst->lost),
                    ", failed ", FormatValue(g.worst->failed), ", duplicated ",
                    FormatValue(g.worst->duplicated), ")\n    ", g.worst->command, "\n");
  }
}

// The answer first: per grid point and profile, lost messages per run and the share of runs that
// lost any, each with its interval; the full tables follow.
void AppendOverview(std::string& out, const SweepSpec& spec, const SweepSummary& summary) {
  if (summary.groups.empty()) return;
  absl::StrAppend(&out, "\nOverview: lost messages per run (mean, 95% CI) and runs that lost any "
                        "(share, 95% CI)\n");
  size_t last_point = SIZE_MAX;
  for (const GroupSummary& g : summary.groups) {
    if (g.point != last_point) {
      absl::StrAppend(&out, "  [", g.point + 1, "/", spec.Points(), "] ", PointLabel(spec, g.point),
                      "\n");
      last_point = g.point;
    }
    const MetricStats* lost = nullptr;
    for (const MetricStats& m : g.metrics) {
      if (m.name == "lost") lost = &m;
    }
    const RateStats* losing = nullptr;
    for (const RateStats& r : g.rates) {
      if (r.name == "runs_losing") losing = &r;
    }
    if (!lost || !losing) continue;
    absl::StrAppend(&out, "    ", Pad(g.profile, 10, false), Pad(FormatValue(lost->stats.mean), 9, true),
                    "  ", Pad(CiText(lost->stats.ci95, false), 22, false),
                    Pad(FormatPercent(losing->value), 8, true), "  ", CiText(losing->ci95, true),
                    "\n");
  }
}

std::string Ci(const std::optional<Interval>& ci) {
  if (!ci) return "null";
  return absl::StrCat("[", JsonNumber(ci->low), ", ", JsonNumber(ci->high), "]");
}

std::string SpecJson(const SweepSpec& spec) {
  std::string out = absl::StrCat(
      "{\n    \"scenario\": {\"path\": ", JsonQuote(spec.scenario_path),
      ", \"id\": ", JsonQuote(spec.scenario_id), ", \"title\": ", JsonQuote(spec.scenario_title),
      ", \"hash\": ", JsonQuote(spec.scenario_hash), "},\n    \"seeds\": ", JsonQuote(spec.seeds),
      ",\n    \"seed_count\": ", spec.seed_list.size(), ",\n    \"sets\": [");
  for (size_t i = 0; i < spec.sets.size(); ++i) {
    std::vector<std::string> values;
    for (const std::string& v : spec.sets[i].values) values.push_back(JsonQuote(v));
    absl::StrAppend(&out, i ? ", " : "", "{\"path\": ", JsonQuote(spec.sets[i].path),
                    ", \"values\": [", absl::StrJoin(values, ", "), "]}");
  }
  std::vector<std::string> profiles;
  for (const std::string& p : spec.profiles) profiles.push_back(JsonQuote(p));
  absl::StrAppend(&out, "],\n    \"profiles\": [", absl::StrJoin(profiles, ", "),
                  "],\n    \"compare_given\": ", spec.compare_given ? "true" : "false",
                  ",\n    \"generator\": ", JsonQuote(spec.generator), ",\n    \"points\": ",
                  spec.Points(), ",\n    \"runs\": ", spec.WorkSize(), "\n  }");
  return out;
}

std::string GroupJson(const GroupSummary& g) {
  std::string out = absl::StrCat("        {\"profile\": ", JsonQuote(g.profile),
                                 ", \"runs\": ", g.runs, ",\n");
  if (g.worst) {
    absl::StrAppend(&out, "         \"worst\": {\"seed\": ", g.worst->seed,
                    ", \"lost\": ", JsonNumber(g.worst->lost), ", \"failed\": ",
                    JsonNumber(g.worst->failed), ", \"duplicated\": ",
                    JsonNumber(g.worst->duplicated), ", \"command\": ", JsonQuote(g.worst->command),
                    "},\n");
  }
  absl::StrAppend(&out, "         \"rates\": {");
  for (size_t i = 0; i < g.rates.size(); ++i) {
    const RateStats& r = g.rates[i];
    absl::StrAppend(&out, i ? ",\n                   " : "", JsonQuote(r.name),
                    ": {\"definition\": ", JsonQuote(r.definition),
                    ", \"value\": ", JsonNumber(r.value), ", \"ci95\": ", Ci(r.ci95),
                    ", \"successes\": ", JsonNumber(r.successes), ", \"trials\": ",
                    JsonNumber(r.trials), ", \"min\": ", JsonNumber(r.min),
                    ", \"max\": ", JsonNumber(r.max), "}");
  }
  absl::StrAppend(&out, "},\n         \"metrics\": {");
  for (size_t i = 0; i < g.metrics.size(); ++i) {
    const MetricStats& m = g.metrics[i];
    absl::StrAppend(&out, i ? ",\n                     " : "", JsonQuote(m.name),
                    ": {\"mean\": ", JsonNumber(m.stats.mean), ", \"ci95\": ", Ci(m.stats.ci95),
                    ", \"sd\": ", JsonNumber(m.stats.sd), ", \"min\": ", JsonNumber(m.stats.min),
                    ", \"max\": ", JsonNumber(m.stats.max), "}");
  }
  return out + "}}";
}

absl::StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read file"));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return absl::NotFoundError(absl::StrCat(path, ": cannot read file"));
  return ss.str();
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t eol = text.find('\n', start);
    if (eol == std::string::npos) eol = text.size();
    if (eol > start) lines.push_back(text.substr(start, eol - start));
    start = eol + 1;
  }
  return lines;
}

}  // namespace

std::string FormatValue(double v) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  if (v == std::trunc(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v == 0 ? 0.0 : v);
  } else if (std::fabs(v) >= 1000) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

std::string FormatPercent(double p) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100 * p + 0.0);
  return buf;
}

std::string PointLabel(const SweepSpec& spec, size_t point) {
  std::vector<std::string> parts;
  for (const auto& [path, value] : spec.PointValues(point)) parts.push_back(path + "=" + value);
  return parts.empty() ? "(no --set)" : absl::StrJoin(parts, ", ");
}

std::string SweepTable(const SweepSpec& spec, const SweepSummary& summary,
                       const std::optional<Shard>& shard) {
  std::string out = Header(spec, shard, summary.runs);
  AppendOverview(out, spec, summary);
  for (const GroupSummary& g : summary.groups) AppendGroup(out, spec, g);
  return out;
}

std::string SummaryJson(const SweepSpec& spec, const SweepSummary& summary,
                        const std::optional<Shard>& shard) {
  std::string out = absl::StrCat("{\n  \"format\": \"rmqsim-sweep/1\",\n  \"sweep\": ",
                                 SpecJson(spec), ",\n");
  if (shard) {
    absl::StrAppend(&out, "  \"shard\": {\"index\": ", shard->index, ", \"count\": ", shard->count,
                    ", \"runs\": ", summary.runs, "},\n");
  }
  absl::StrAppend(&out, "  \"confidence\": ", JsonQuote(kConfidence), ",\n  \"points\": [");
  for (size_t i = 0; i < summary.groups.size();) {
    size_t point = summary.groups[i].point;
    absl::StrAppend(&out, i ? "," : "", "\n    {\"point\": ", point, ", \"set\": {");
    bool first = true;
    for (const auto& [path, value] : spec.PointValues(point)) {
      absl::StrAppend(&out, first ? "" : ", ", JsonQuote(path), ": ", JsonQuote(value));
      first = false;
    }
    absl::StrAppend(&out, "},\n     \"profiles\": [\n");
    for (first = true; i < summary.groups.size() && summary.groups[i].point == point; ++i) {
      absl::StrAppend(&out, first ? "" : ",\n", GroupJson(summary.groups[i]));
      first = false;
    }
    absl::StrAppend(&out, "]}");
  }
  return out + "\n  ]\n}\n";
}

absl::Status ParseSummaryJson(std::string_view text, SweepSpec* spec, std::optional<Shard>* shard) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto bad = [](auto why) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an rmqsim sweep summary: ", std::string(why.data(), why.size())));
  };
  if (!j.is_object() || j.value("format", "") != "rmqsim-sweep/1" || !j.contains("sweep")) {
    return bad(std::string_view("no \"format\": \"rmqsim-sweep/1\""));
  }
  try {
    const nlohmann::json& w = j.at("sweep");
    const nlohmann::json& sc = w.at("scenario");
    spec->scenario_path = sc.at("path").get<std::string>();
    spec->scenario_id = sc.at("id").get<std::string>();
    spec->scenario_title = sc.at("title").get<std::string>();
    spec->scenario_hash = sc.at("hash").get<std::string>();
    spec->seeds = w.at("seeds").get<std::string>();
    absl::StatusOr<std::vector<uint64_t>> seeds =
        ParseSeeds(spec->seeds, w.at("seed_count").get<size_t>());
    if (!seeds.ok()) return bad(seeds.status().message());
    spec->seed_list = *std::move(seeds);
    if (spec->seed_list.size() != w.at("seed_count").get<size_t>()) {
      return bad(std::string_view("seed_count does not match seeds"));
    }
    spec->sets.clear();
    for (const auto& s : w.at("sets")) {
      spec->sets.push_back(SweepSet{s.at("path").get<std::string>(),
                                    s.at("values").get<std::vector<std::string>>()});
      if (spec->sets.back().values.empty()) return bad(std::string_view("a set without values"));
    }
    spec->profiles = w.at("profiles").get<std::vector<std::string>>();
    if (spec->profiles.empty()) return bad(std::string_view("no profiles"));
    spec->compare_given = w.at("compare_given").get<bool>();
    spec->generator = w.at("generator").get<std::string>();
    shard->reset();
    if (j.contains("shard")) {
      Shard s{j["shard"].at("index").get<size_t>(), j["shard"].at("count").get<size_t>()};
      if (s.count == 0 || s.index >= s.count) return bad(std::string_view("invalid shard"));
      *shard = s;
    }
  } catch (const nlohmann::json::exception& e) {
    return bad(std::string_view(e.what()));
  }
  return absl::OkStatus();
}

absl::Status CreateOutputDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat(dir, ": cannot create: ", ec.message()));
  if (!fs::is_directory(dir, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(dir, ": not a directory"));
  }
  return absl::OkStatus();
}

absl::Status WriteSweepOutputs(const std::string& dir, const SweepSpec& spec,
                               const std::vector<std::string>& lines,
                               const std::optional<Shard>& shard, std::string* table) {
  std::vector<RunRecord> records;
  records.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    absl::StatusOr<RunRecord> r = ParseRunLine(lines[i]);
    if (!r.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(dir, "/runs.jsonl:", i + 1, ": ", r.status().message()));
    }
    records.push_back(*std::move(r));
  }
  SweepSummary summary = SummarizeSweep(spec, records);
  if (absl::Status st = CreateOutputDir(dir); !st.ok()) return st;
  *table = SweepTable(spec, summary, shard);
  auto write = [&](const char* name, const std::string& text) {
    return WriteFileAtomically((fs::path(dir) / name).string(),
                               [&](std::ostream& o) { o << text; });
  };
  std::string runs;
  for (const std::string& l : lines) absl::StrAppend(&runs, l, "\n");
  for (const auto& [name, text] :
       std::vector<std::pair<const char*, std::string>>{
           {"runs.jsonl", runs},
           {"summary.json", SummaryJson(spec, summary, shard)},
           {"table.txt", *table},
           {"sweep.html", SweepHtml(spec, summary, shard)}}) {
    absl::Status st = write(name, text);
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status MergeSweeps(const std::vector<std::string>& dirs, const std::string& out,
                         std::string* table) {
  if (dirs.empty()) return absl::InvalidArgumentError("merge: no directories given");
  SweepSpec spec;
  std::string spec_json;
  std::map<size_t, std::string> shard_dirs;  // shard index -> directory
  size_t count = 0;
  std::vector<std::pair<size_t, std::string>> lines;
  for (const std::string& dir : dirs) {
    std::string summary_path = (fs::path(dir) / "summary.json").string();
    absl::StatusOr<std::string> text = ReadText(summary_path);
    if (!text.ok()) return text.status();
    SweepSpec s;
    std::optional<Shard> shard;
    absl::Status st = ParseSummaryJson(*text, &s, &shard);
    if (!st.ok()) return absl::InvalidArgumentError(absl::StrCat(summary_path, ": ", st.message()));
    Shard sh = shard.value_or(Shard{0, 1});
    if (shard_dirs.empty()) {
      spec = s;
      spec_json = SpecJson(s);
      count = sh.count;
    } else if (SpecJson(s) != spec_json) {
      return absl::InvalidArgumentError(absl::StrCat(
          summary_path, ": not a shard of the same sweep as ", dirs[0],
          " (scenario, seeds, --set values, profiles or rmqsim build differ)"));
    } else if (sh.count != count) {
      return absl::InvalidArgumentError(absl::StrCat(summary_path, ": shard ", sh.index, "/",
                                                     sh.count, " does not belong with shards of ",
                                                     count));
    }
    auto [it, inserted] = shard_dirs.emplace(sh.index, dir);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat("shard ", sh.index, "/", count,
                                                     " is given twice: ", it->second, " and ", dir));
    }
    std::string runs_path = (fs::path(dir) / "runs.jsonl").string();
    absl::StatusOr<std::string> runs = ReadText(runs_path);
    if (!runs.ok()) return runs.status();
    size_t n = 0;
    for (std::string& line : SplitLines(*runs)) {
      ++n;
      absl::StatusOr<RunRecord> r = ParseRunLine(line);
      if (!r.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(runs_path, ":", n, ": ", r.status().message()));
      }
      if (r->index >= spec.WorkSize() || !sh.Owns(spec, r->index)) {
        return absl::InvalidArgumentError(absl::StrCat(runs_path, ":", n, ": run ", r->index,
                                                       " is not part of shard ", sh.index, "/",
                                                       sh.count));
      }
      SweepSpec::Item item = spec.At(r->index);
      if (r->point != item.point || r->seed != spec.seed_list[item.seed_index] ||
          r->profile != spec.profiles[item.profile_index]) {
        return absl::InvalidArgumentError(absl::StrCat(
            runs_path, ":", n, ": run ", r->index, " should be grid point ", item.point, ", seed ",
            spec.seed_list[item.seed_index], ", profile ", spec.profiles[item.profile_index],
            " (the file does not belong to this summary.json)"));
      }
      lines.emplace_back(r->index, std::move(line));
    }
    size_t expected = sh.Runs(spec);
    if (n != expected) {
      return absl::InvalidArgumentError(absl::StrCat(runs_path, ": has ", n, " runs; shard ",
                                                     sh.index, "/", sh.count, " has ", expected,
                                                     " (an interrupted or partial shard?)"));
    }
  }
  std::vector<std::string> missing;
  for (size_t i = 0; i < count; ++i) {
    if (!shard_dirs.count(i)) missing.push_back(absl::StrCat(i, "/", count));
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("merge: missing shard",
                                                   missing.size() == 1 ? " " : "s ",
                                                   absl::StrJoin(missing, ", "),
                                                   "; pass every shard's directory"));
  }
  std::sort(lines.begin(), lines.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> sorted;
  sorted.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].first != i) {
      return absl::InvalidArgumentError(absl::StrCat("merge: run ", i, " is missing or repeated"));
    }
    sorted.push_back(std::move(lines[i].second));
  }
  return WriteSweepOutputs(out, spec, sorted, std::nullopt, table);
}

}  // namespace rmqsim::reports
