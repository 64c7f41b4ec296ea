// The sweep's work list, run lines and statistics (sweep.h). Output files are in
// sweep_output.cc, the page in sweep_html.cc.
#include "reports/sweep.h"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "reports/escape.h"
#include "reports/sweep_internal.h"

namespace rmqsim::reports {
namespace {

std::string S(absl::string_view s) { return std::string(s.data(), s.size()); }

bool ParseU64(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Canonical metric order: the plain metrics as sim::MetricNames lists them, then stored.*, then
// errors.*, then anything else, each of the last three by name.
std::tuple<int, size_t, std::string> MetricRank(const std::string& name) {
  const auto& plain = sim::MetricNames();
  auto it = std::find(plain.begin(), plain.end(), name);
  if (it != plain.end()) return {0, static_cast<size_t>(it - plain.begin()), ""};
  if (name.rfind("stored.", 0) == 0) return {1, 0, name};
  if (name.rfind("errors.", 0) == 0) return {2, 0, name};
  return {3, 0, name};
}

double Get(const RunRecord& r, std::string_view name) {
  for (const auto& [n, v] : r.metrics) {
    if (n == name) return v;
  }
  return 0;
}

RateStats PooledRate(const std::vector<const RunRecord*>& runs, std::string name,
                     std::string_view num, std::string_view den) {
  RateStats r;
  r.name = std::move(name);
  r.definition = absl::StrCat(std::string(num), " / ", std::string(den));
  bool any = false;
  for (const RunRecord* run : runs) {
    double k = Get(*run, num), n = Get(*run, den);
    r.successes += k;
    r.trials += n;
    if (n <= 0) continue;
    double p = k / n;
    r.min = any ? std::min(r.min, p) : p;
    r.max = any ? std::max(r.max, p) : p;
    any = true;
  }
  if (r.trials > 0) {
    r.value = r.successes / r.trials;
    r.ci95 = WilsonInterval(r.successes, r.trials);
  }
  return r;
}

RateStats RunsLosing(const std::vector<const RunRecord*>& runs) {
  RateStats r;
  r.name = "runs_losing";
  r.definition = "runs with lost > 0 / runs";
  r.trials = static_cast<double>(runs.size());
  r.min = 1;
  for (const RunRecord* run : runs) {
    bool lost = Get(*run, "lost") > 0;
    r.successes += lost ? 1 : 0;
    r.min = std::min(r.min, lost ? 1.0 : 0.0);
    r.max = std::max(r.max, lost ? 1.0 : 0.0);
  }
  if (runs.empty()) r.min = 0;
  if (r.trials > 0) {
    r.value = r.successes / r.trials;
    r.ci95 = WilsonInterval(r.successes, r.trials);
  }
  return r;
}

GroupSummary SummarizeGroup(const SweepSpec& spec, size_t point, std::string profile,
                            const std::vector<const RunRecord*>& runs) {
  GroupSummary g;
  g.point = point;
  g.profile = std::move(profile);
  g.runs = runs.size();
  std::set<std::string> names;
  for (const RunRecord* r : runs) {
    for (const auto& [n, v] : r->metrics) names.insert(n);
  }
  std::vector<std::string> ordered(names.begin(), names.end());
  std::sort(ordered.begin(), ordered.end(), [](const std::string& a, const std::string& b) {
    return MetricRank(a) < MetricRank(b);
  });
  for (const std::string& n : ordered) {
    std::vector<double> values;
    values.reserve(runs.size());
    for (const RunRecord* r : runs) values.push_back(Get(*r, n));
    g.metrics.push_back(MetricStats{n, DescribeSample(values)});
  }
  g.rates.push_back(PooledRate(runs, "loss_rate", "lost", "messages"));
  g.rates.push_back(PooledRate(runs, "failed_rate", "failed", "messages"));
  g.rates.push_back(PooledRate(runs, "duplicated_rate", "duplicated", "messages"));
  g.rates.push_back(RunsLosing(runs));
  for (const RunRecord* r : runs) {
    auto key = [](const RunRecord& x) {
      return std::make_tuple(Get(x, "lost"), Get(x, "failed"), Get(x, "duplicated"));
    };
    if (!g.worst || key(*r) > std::make_tuple(g.worst->lost, g.worst->failed,
                                              g.worst->duplicated)) {
      auto [lost, failed, duplicated] = key(*r);
      g.worst = WorstRun{r->seed, lost, failed, duplicated, ""};
    }
  }
  if (g.worst) g.worst->command = ReplayCommand(spec, point, g.worst->seed);
  return g;
}

}  // namespace

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  if (v == std::trunc(v) && std::fabs(v) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(v));
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "null";
}

size_t SweepSpec::Points() const {
  size_t n = 1;
  for (const SweepSet& s : sets) n *= s.values.size();
  return n;
}

std::vector<std::pair<std::string, std::string>> SweepSpec::PointValues(size_t point) const {
  std::vector<std::pair<std::string, std::string>> out(sets.size());
  for (size_t k = sets.size(); k-- > 0;) {
    size_t n = sets[k].values.size();
    out[k] = {sets[k].path, sets[k].values[point % n]};
    point /= n;
  }
  return out;
}

SweepSpec::Item SweepSpec::At(size_t index) const {
  Item item;
  item.profile_index = index % profiles.size();
  index /= profiles.size();
  item.seed_index = index % seed_list.size();
  item.point = index / seed_list.size();
  return item;
}

absl::StatusOr<std::vector<uint64_t>> ParseSeeds(std::string_view text, size_t max_seeds) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--seeds ", std::string(text), ": ", std::string(why), "; expected seeds and ranges such as 1..1000 or 1,5,10..20"));
  };
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  uint64_t total = 0;
  for (absl::string_view piece : absl::StrSplit(absl::string_view(text.data(), text.size()), ',')) {
    std::string p = S(absl::StripAsciiWhitespace(piece));
    size_t dots = p.find("..");
    uint64_t lo = 0, hi = 0;
    bool ok = dots == std::string::npos
                  ? ParseU64(p, &lo) && (hi = lo, true)
                  : ParseU64(std::string_view(p).substr(0, dots), &lo) &&
                        ParseU64(std::string_view(p).substr(dots + 2), &hi);
    if (!ok) return bad(absl::StrCat("'", p, "' is not a seed or a range A..B"));
    if (lo > hi) return bad(absl::StrCat("range ", p, " is reversed"));
    uint64_t n = hi - lo;
    if (n >= max_seeds || total + n + 1 > max_seeds) {
      return bad(absl::StrCat("more than ", max_seeds, " seeds"));
    }
    total += n + 1;
    ranges.emplace_back(lo, hi);
  }
  // Overlaps, found on the ranges (a set of every seed would cost memory per seed).
  std::vector<std::pair<uint64_t, uint64_t>> sorted = ranges;
  std::sort(sorted.begin(), sorted.end());
  for (size_t k = 1; k < sorted.size(); ++k) {
    if (sorted[k].first <= sorted[k - 1].second) {
      return bad(absl::StrCat("seed ", sorted[k].first, " is listed twice"));
    }
  }
  std::vector<uint64_t> seeds;
  seeds.reserve(total);
  for (auto [lo, hi] : ranges) {
    for (uint64_t s = lo;; ++s) {
      seeds.push_back(s);
      if (s == hi) break;
    }
  }
  return seeds;
}

std::string ScenarioHash(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "fnv1a64:%016" PRIx64, h);
  return buf;
}

std::string ShellQuote(std::string_view word) {
  bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
  });
  if (safe) return std::string(word);
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ReplayCommand(const SweepSpec& spec, size_t point, uint64_t seed) {
  std::string cmd = "rmqsim run";
  if (!spec.scenario_path.empty()) absl::StrAppend(&cmd, " ", ShellQuote(spec.scenario_path));
  absl::StrAppend(&cmd, " --seed ", seed);
  if (spec.compare_given) {
    std::string list;
    for (const std::string& p : spec.profiles) absl::StrAppend(&list, list.empty() ? "" : ",", p);
    absl::StrAppend(&cmd, " --compare ", ShellQuote(list));
  }
  for (const auto& [path, value] : spec.PointValues(point)) {
    absl::StrAppend(&cmd, " --set ", ShellQuote(path + "=" + value));
  }
  return cmd;
}

std::string RunLine(const SweepSpec& spec, size_t index, const sim::Summary& summary) {
  SweepSpec::Item item = spec.At(index);
  std::string out = absl::StrCat("{\"index\":", index, ",\"point\":", item.point, ",\"set\":{");
  bool first = true;
  for (const auto& [path, value] : spec.PointValues(item.point)) {
    absl::StrAppend(&out, first ? "" : ",", JsonQuote(path), ":", JsonQuote(value));
    first = false;
  }
  absl::StrAppend(&out, "},\"seed\":", spec.seed_list[item.seed_index],
                  ",\"profile\":", JsonQuote(spec.profiles[item.profile_index]), ",\"metrics\":{");
  first = true;
  auto add = [&](std::string_view name, double v) {
    absl::StrAppend(&out, first ? "" : ",", JsonQuote(name), ":", JsonNumber(v));
    first = false;
  };
  for (std::string_view name : sim::MetricNames()) {
    // Consumer metrics only for runs that had consumers (producer-only lines stay as they were).
    if (!summary.has_consumers && sim::IsConsumerMetric(name)) continue;
    if (std::optional<double> v = sim::MetricValue(summary, name)) add(name, *v);
  }
  for (const auto& [broker, n] : summary.stored_by_broker) {
    add("stored." + broker, static_cast<double>(n));
  }
  for (const auto& [type, n] : summary.errors_by_type) {
    add("errors." + type, static_cast<double>(n));
  }
  return out + "}}";
}

absl::StatusOr<RunRecord> ParseRunLine(std::string_view line) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
  auto bad = [](std::string_view why) { return absl::InvalidArgumentError(std::string(why)); };
  if (!j.is_object()) return bad("not a JSON object");
  RunRecord r;
  for (const char* key : {"index", "point", "seed"}) {
    if (!j.contains(key) || !j[key].is_number_unsigned()) {
      return bad(absl::StrCat("'", key, "' is missing or not an unsigned integer"));
    }
  }
  r.index = j["index"].get<size_t>();
  r.point = j["point"].get<size_t>();
  r.seed = j["seed"].get<uint64_t>();
  if (!j.contains("profile") || !j["profile"].is_string()) return bad("'profile' is missing");
  r.profile = j["profile"].get<std::string>();
  if (!j.contains("metrics") || !j["metrics"].is_object()) return bad("'metrics' is missing");
  for (const auto& [name, value] : j["metrics"].items()) {
    if (!value.is_number()) return bad(absl::StrCat("metric '", name, "' is not a number"));
    r.metrics.emplace_back(name, value.get<double>());
  }
  return r;
}

SweepSummary SummarizeSweep(const SweepSpec& spec, const std::vector<RunRecord>& records) {
  std::map<std::pair<size_t, size_t>, std::vector<const RunRecord*>> groups;
  for (const RunRecord& r : records) {
    SweepSpec::Item item = spec.At(r.index);
    groups[{item.point, item.profile_index}].push_back(&r);
  }
  SweepSummary s;
  s.runs = records.size();
  for (const auto& [key, runs] : groups) {
    s.groups.push_back(SummarizeGroup(spec, key.first, spec.profiles[key.second], runs));
  }
  return s;
}

std::vector<std::string> TableMetrics(const GroupSummary& g) {
  std::vector<std::string> out;
  for (const MetricStats& m : g.metrics) {
    if (std::get<0>(MetricRank(m.name)) == 0) out.push_back(m.name);
  }
  return out;
}

}  // namespace rmqsim::reports
