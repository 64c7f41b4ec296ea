// `rmqsim shrink`: the smallest scenario (found by delta debugging) for which a condition on one
// or more profiles' metrics still holds, e.g. `--until '4.9.0.lost > 0'`.
//
// The search edits the scenario's document tree (sim/scenario_document.h) and tests every
// candidate by loading it (an invalid candidate simply fails) and running the profiles the
// condition names, with one fixed seed. In order, repeated until a whole pass changes nothing:
//   1. ddmin (Zeller's delta debugging) over each list: faults, each producer's workloads,
//      producers, topics, brokers (a removed broker also leaves topics' broker lists and the
//      faults that target it), name servers;
//   2. every count and duration, halved while the condition holds, then narrowed by bisection
//      between the last value that held and the first that did not: fault times and lengths,
//      workload starts, producer starts, then counts, instances, threads, queues, then `duration`.
// A step is kept only if the condition still holds and, when the original scenario leaves no
// message unresolved at its horizon (in the profiles the condition names), the candidate leaves
// none either: otherwise a horizon cut short would "lose" the messages still in flight.
// Everything is deterministic: same input, same steps, same output. The result is written as
// YAML with the steps as comments, its `expect` replaced by the condition (a comparison between
// two profiles pinned to the shrunk run's value), and is loaded back and re-run before it is
// written. A condition on one profile alone often shrinks to a scenario where every profile
// meets it (one broker, killed); the output says so and suggests comparing profiles instead.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reports/output_file.h"
#include "sim/expect.h"
#include "sim/profile.h"
#include "sim/run.h"
#include "sim/scenario_values.h"
#include "tools/commands.h"
#include "tools/shrink_condition.h"

namespace rmqsim::tools {
namespace {

using sim::loader::Node;
using sim::loader::NodePtr;

constexpr int kExitOk = 0;
constexpr int kExitNotHolding = 1;
constexpr int kExitInvalid = 2;
constexpr int kExitInternal = 3;

std::string Msg(const absl::Status& s) { return std::string(s.message().data(), s.message().size()); }

// --- tree paths -----------------------------------------------------------------------------

struct Step {
  std::string key;  // empty: an index
  size_t index = 0;
};
using Path = std::vector<Step>;

std::string PathText(const Path& p) {
  std::string out;
  for (const Step& s : p) {
    out += s.key.empty() ? absl::StrCat("[", s.index, "]") : absl::StrCat(out.empty() ? "" : ".", s.key);
  }
  return out;
}

Path Append(Path p, std::string key) {
  p.push_back(Step{std::move(key)});
  return p;
}
Path Append(Path p, size_t index) {
  p.push_back(Step{"", index});
  return p;
}

Node* Find(Node* n, const Path& path) {
  for (const Step& s : path) {
    if (!n) return nullptr;
    if (s.key.empty()) {
      n = n->is_seq() && s.index < n->items.size() ? n->items[s.index].get() : nullptr;
    } else {
      Node* next = nullptr;
      if (n->is_map()) {
        for (sim::loader::Entry& e : n->entries) {
          if (e.key == s.key) next = e.value.get();
        }
      }
      n = next;
    }
  }
  return n;
}

Node* FindKey(Node* map, std::string_view key) { return Find(map, Path{Step{std::string(key)}}); }

void RemoveKey(Node* map, std::string_view key) {
  if (!map || !map->is_map()) return;
  auto& e = map->entries;
  e.erase(std::remove_if(e.begin(), e.end(), [&](const auto& x) { return x.key == key; }), e.end());
}

NodePtr Scalar(std::string text, bool quoted = false) {
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::kScalar;
  n->text = std::move(text);
  n->quoted = quoted;
  return n;
}

std::string Brief(const Node& n) {
  std::string s = sim::loader::EmitFlow(n);
  return s.size() > 90 ? s.substr(0, 87) + "..." : s;
}

// Durations are shrunk in whole milliseconds.
std::optional<int64_t> DurationMs(const Node* n) {
  if (!n || !n->is_scalar()) return std::nullopt;
  absl::StatusOr<sim::SimDuration> d = sim::loader::ParseDurationText(n->text);
  if (!d.ok()) return std::nullopt;
  return d->ns() / 1'000'000;
}

std::string DurationText(int64_t ms) {
  if (ms == 0) return "0s";
  if (ms % 60'000 == 0) return absl::StrCat(ms / 60'000, "m");
  if (ms % 1000 == 0) return absl::StrCat(ms / 1000, "s");
  return absl::StrCat(ms, "ms");
}

std::optional<int64_t> IntValue(const Node* n) {
  int64_t v = 0;
  if (!n || !n->is_scalar() || n->quoted ||
      sim::loader::ParseInt64(n->text, &v) != sim::loader::IntParse::kOk) {
    return std::nullopt;
  }
  return v;
}

// --- the search -----------------------------------------------------------------------------

struct ShrinkFlags {
  std::string scenario;
  std::string until;
  std::string out;
  std::optional<uint64_t> seed;
  size_t max_runs = 5000;
  bool quiet = false;
};

class Shrinker {
 public:
  Shrinker(std::string path, std::vector<Clause> clauses, uint64_t seed, size_t max_runs)
      : path_(std::move(path)), clauses_(std::move(clauses)), seed_(seed), max_runs_(max_runs) {
    for (const Clause& c : clauses_) {
      for (const Operand* o : {&c.lhs, &c.rhs}) {
        if (o->is_metric() &&
            std::find(profiles_.begin(), profiles_.end(), o->profile) == profiles_.end()) {
          profiles_.push_back(o->profile);
        }
      }
    }
  }

  // The condition's value on these runs; `shown` receives "4.9.0.lost = 3, 4.9.3.lost = 0".
  bool Evaluate(const std::map<std::string, sim::Summary>& runs, std::string* shown) const {
    bool holds = true;
    std::vector<std::string> parts;
    auto value = [&](const Operand& o) {
      if (!o.is_metric()) return o.value;
      double v = sim::MetricValue(runs.at(o.profile), o.metric).value_or(0);
      std::string part = absl::StrCat(o.Text(), " = ", sim::FormatMetric(v));
      if (std::find(parts.begin(), parts.end(), part) == parts.end()) parts.push_back(part);
      return v;
    };
    for (const Clause& c : clauses_) {
      double a = value(c.lhs);
      holds = Compare(a, c.op, value(c.rhs)) && holds;
    }
    if (shown) *shown = absl::StrJoin(parts, ", ");
    return holds;
  }

  // Runs `profiles` on the scenario (which must load) with the shrink's seed.
  std::map<std::string, sim::Summary> RunProfiles(const sim::Scenario& s,
                                                  const std::vector<std::string>& profiles) const {
    std::map<std::string, sim::Summary> out;
    sim::RunOptions opts;
    opts.seed = seed_;
    opts.record_events = false;
    for (const std::string& p : profiles) {
      out[p] = sim::RunScenario(s, *sim::FindProfile(p), opts).summary;
    }
    return out;
  }

  // Whether the condition holds for the scenario `root`; `values` receives "4.9.0.lost = 3".
  // `force` runs it even beyond --max-runs (the final check).
  bool Holds(const NodePtr& root, std::string* values = nullptr, bool force = false) {
    std::string key = sim::loader::EmitYaml(*root);
    auto it = cache_.find(key);
    if (it != cache_.end() && (!force || !it->second.second.empty())) {
      if (values) *values = it->second.second;
      return it->second.first;
    }
    bool holds = false;
    std::string shown;
    absl::StatusOr<sim::Scenario> s = sim::ScenarioDocument(path_, root).Load();
    if (s.ok() && (runs_ < max_runs_ || force)) {
      ++runs_;
      std::map<std::string, sim::Summary> summaries = RunProfiles(*s, profiles_);
      bool unresolved = false;
      for (const auto& [name, summary] : summaries) unresolved = unresolved || summary.unresolved > 0;
      if (cache_.empty()) no_unresolved_ = !unresolved;
      holds = Evaluate(summaries, &shown);
      // Cutting a run short (a horizon before messages resolve) is not a reproduction.
      if (no_unresolved_ && unresolved) holds = false;
    } else if (!s.ok()) {
      ++invalid_;
    }
    if (s.ok() && runs_ >= max_runs_ && !holds && shown.empty()) exhausted_ = true;
    cache_[std::move(key)] = std::make_pair(holds, shown);
    if (values) *values = shown;
    return holds;
  }

  // Accepts `candidate` as the current scenario and records the step.
  void Accept(NodePtr candidate, std::string step) {
    root_ = std::move(candidate);
    std::string values;
    Holds(root_, &values);
    steps_.push_back(absl::StrCat(step, "  [", values, "]"));
    if (log_) log_(steps_.size(), steps_.back());
  }

  void Run(NodePtr root, std::function<void(size_t, const std::string&)> log) {
    root_ = std::move(root);
    log_ = std::move(log);
    for (int pass = 0; pass < 20 && !exhausted_; ++pass) {
      size_t before = steps_.size();
      ShrinkLists();
      ShrinkNumbers();
      if (steps_.size() == before) break;
    }
  }

  const NodePtr& root() const { return root_; }
  const std::vector<std::string>& steps() const { return steps_; }
  size_t runs() const { return runs_; }
  size_t invalid() const { return invalid_; }
  bool exhausted() const { return exhausted_; }
  uint64_t seed() const { return seed_; }
  const std::vector<Clause>& clauses() const { return clauses_; }

 private:
  // A copy of the current tree with the list at `path` cut down to the items `keep` (indexes into
  // the current list). `cleanup` may edit the copy further given the removed items.
  using Cleanup = std::function<void(Node& root, const std::vector<NodePtr>& removed)>;
  NodePtr WithItems(const Path& path, const std::vector<size_t>& keep, const Cleanup& cleanup) {
    NodePtr copy = sim::loader::CloneTree(root_);
    Node* list = Find(copy.get(), path);
    std::vector<NodePtr> kept, removed;
    for (size_t i = 0; i < list->items.size(); ++i) {
      (std::find(keep.begin(), keep.end(), i) != keep.end() ? kept : removed).push_back(list->items[i]);
    }
    list->items = std::move(kept);
    if (cleanup) cleanup(*copy, removed);
    return copy;
  }

  std::string Removed(const Path& path, const std::vector<size_t>& keep, size_t n) {
    const Node* list = Find(root_.get(), path);
    std::vector<std::string> parts;
    for (size_t i = 0; i < n; ++i) {
      if (std::find(keep.begin(), keep.end(), i) == keep.end()) {
        parts.push_back(absl::StrCat("[", i, "] ", Brief(*list->items[i])));
      }
    }
    return absl::StrCat(PathText(path), ": kept ", keep.size(), " of ", n, ", removed ",
                        absl::StrJoin(parts, ", "));
  }

  // Zeller's ddmin over the list at `path`; `min_items` is the least the format allows.
  void Ddmin(const Path& path, size_t min_items, const Cleanup& cleanup = nullptr) {
    const Node* list = Find(root_.get(), path);
    if (!list || !list->is_seq()) return;
    size_t n = list->items.size();
    auto test = [&](const std::vector<size_t>& keep) {
      if (keep.size() < min_items || keep.size() == n) return false;
      NodePtr candidate = WithItems(path, keep, cleanup);
      if (!Holds(candidate)) return false;
      std::string step = Removed(path, keep, n);
      Accept(candidate, step);
      n = keep.size();
      return true;
    };
    if (min_items == 0 && n > 0 && test({})) return;
    size_t granularity = 2;
    while (n >= 2 && !exhausted_) {
      std::vector<std::vector<size_t>> chunks(std::min(granularity, n));
      for (size_t i = 0; i < n; ++i) chunks[i * chunks.size() / n].push_back(i);
      bool reduced = false;
      for (const auto& chunk : chunks) {
        if (test(chunk)) {
          granularity = 2;
          reduced = true;
          break;
        }
      }
      for (size_t c = 0; !reduced && chunks.size() > 2 && c < chunks.size(); ++c) {
        std::vector<size_t> keep;
        for (size_t i = 0; i < n; ++i) {
          if (std::find(chunks[c].begin(), chunks[c].end(), i) == chunks[c].end()) keep.push_back(i);
        }
        if (test(keep)) {
          granularity = std::max<size_t>(granularity - 1, 2);
          reduced = true;
        }
      }
      if (!reduced) {
        if (granularity >= n) break;
        granularity = std::min(n, granularity * 2);
      }
    }
  }

  static void DropBrokers(Node& root, const std::vector<NodePtr>& removed) {
    std::set<std::string> names;
    for (const NodePtr& b : removed) {
      if (const Node* name = FindKey(b.get(), "name"); name && name->is_scalar()) names.insert(name->text);
    }
    if (Node* topics = Find(&root, {{"cluster"}, {"topics"}}); topics && topics->is_seq()) {
      for (NodePtr& t : topics->items) {
        Node* brokers = FindKey(t.get(), "brokers");
        if (!brokers) continue;
        auto& items = brokers->items;
        items.erase(std::remove_if(items.begin(), items.end(),
                                   [&](const NodePtr& x) { return x->is_scalar() && names.count(x->text); }),
                    items.end());
        auto& entries = brokers->entries;
        entries.erase(std::remove_if(entries.begin(), entries.end(),
                                     [&](const auto& e) { return names.count(e.key) > 0; }),
                      entries.end());
      }
    }
    DropFaultsOn(root, names);
  }

  static void DropNameServers(Node& root, const std::vector<NodePtr>& removed) {
    std::set<std::string> names;
    for (const NodePtr& n : removed) {
      if (n->is_scalar()) names.insert(n->text);
    }
    DropFaultsOn(root, names);
  }

  static void DropFaultsOn(Node& root, const std::set<std::string>& targets) {
    Node* faults = FindKey(&root, "faults");
    if (!faults || !faults->is_seq()) return;
    auto& items = faults->items;
    items.erase(std::remove_if(items.begin(), items.end(),
                               [&](const NodePtr& f) {
                                 const Node* t = FindKey(f.get(), "target");
                                 return t && t->is_scalar() && targets.count(t->text) > 0;
                               }),
                items.end());
  }

  void ShrinkLists() {
    Ddmin({{"faults"}}, 0);
    if (Node* producers = FindKey(root_.get(), "producers"); producers && producers->is_seq()) {
      for (size_t i = 0; i < Find(root_.get(), {{"producers"}})->items.size(); ++i) {
        Ddmin({{"producers"}, {"", i}, {"send"}}, 1);
      }
    }
    Ddmin({{"producers"}}, 1);
    Ddmin({{"cluster"}, {"topics"}}, 1);
    Ddmin({{"cluster"}, {"brokers"}}, 1, DropBrokers);
    Ddmin({{"cluster"}, {"nameservers"}}, 1, DropNameServers);
  }

  // Halves the value at `path` while the condition holds, then bisects between the last value
  // that held and the first that did not. `get`/`set` read and write it as an integer.
  void Reduce(const Path& path, int64_t min, bool duration) {
    const Node* node = Find(root_.get(), path);
    std::optional<int64_t> current = duration ? DurationMs(node) : IntValue(node);
    if (!current || *current <= min) return;
    int64_t start = *current;
    auto text = [&](int64_t v) { return duration ? DurationText(v) : absl::StrCat(v); };
    auto candidate = [&](int64_t v) {
      NodePtr copy = sim::loader::CloneTree(root_);
      *Find(copy.get(), path) = *Scalar(text(v));
      return copy;
    };
    int64_t best = start;
    std::optional<int64_t> failed;
    while (best > min && !exhausted_) {
      int64_t next = std::max(min, best / 2);
      if (next == best) break;
      NodePtr c = candidate(next);
      if (!Holds(c)) {
        failed = next;
        break;
      }
      best = next;
    }
    for (int64_t lo = failed.value_or(best), hi = best; failed && hi - lo > 1 && !exhausted_;) {
      int64_t mid = lo + (hi - lo) / 2;
      (Holds(candidate(mid)) ? hi : lo) = mid;
      best = hi;
    }
    if (best == start) return;
    Accept(candidate(best), absl::StrCat(PathText(path), ": ", text(start), " -> ", text(best)));
  }

  void ShrinkNumbers() {
    auto size = [&](const Path& p) {
      const Node* n = Find(root_.get(), p);
      return n && n->is_seq() ? n->items.size() : 0;
    };
    // Times first (they decide how much of a workload matters), then sizes, then the horizon.
    for (size_t k = 0; k < size({{"faults"}}); ++k) {
      Path f = {{"faults"}, {"", k}};
      Reduce(Append(f, "at"), 0, true);
      Reduce(Append(f, "for"), 1, true);
      Reduce(Append(f, "delay"), 1, true);
    }
    for (size_t i = 0; i < size({{"producers"}}); ++i) {
      Path p = {{"producers"}, {"", i}};
      Reduce(Append(p, "start_at"), 0, true);
      for (size_t j = 0; j < size(Append(p, "send")); ++j) {
        Path w = Append(Append(p, "send"), j);
        Reduce(Append(w, "start"), 0, true);
        std::optional<int64_t> start = DurationMs(Find(root_.get(), Append(w, "start")));
        Reduce(Append(w, "until"), start.value_or(0) + 1, true);
        Reduce(Append(w, "count"), 1, false);
        Reduce(Append(w, "threads"), 1, false);
      }
      Reduce(Append(p, "instances"), 1, false);
    }
    for (size_t b = 0; b < size({{"cluster"}, {"brokers"}}); ++b) {
      Reduce({{"cluster"}, {"brokers"}, {"", b}, {"queues"}}, 1, false);
    }
    for (size_t t = 0; t < size({{"cluster"}, {"topics"}}); ++t) {
      Path brokers = {{"cluster"}, {"topics"}, {"", t}, {"brokers"}};
      const Node* m = Find(root_.get(), brokers);
      if (!m || !m->is_map()) continue;
      for (size_t e = 0; e < m->entries.size(); ++e) {
        Reduce(Append(brokers, Find(root_.get(), brokers)->entries[e].key), 1, false);
      }
    }
    Reduce({{"cluster"}, {"nameservers"}}, 1, false);
    Reduce({{"duration"}}, 1, true);
  }

  std::string path_;
  std::vector<Clause> clauses_;
  std::vector<std::string> profiles_;
  uint64_t seed_;
  size_t max_runs_;
  size_t runs_ = 0;
  size_t invalid_ = 0;
  bool exhausted_ = false;
  // The original leaves no message unresolved, so no candidate may (set by the first run).
  bool no_unresolved_ = false;
  NodePtr root_;
  std::vector<std::string> steps_;
  std::map<std::string, std::pair<bool, std::string>> cache_;
  std::function<void(size_t, const std::string&)> log_;
};

// The profiles the shrunk scenario compares: the original's, then any the condition names.
std::vector<std::string> ResultProfiles(const Shrinker& s, const std::vector<std::string>& compare) {
  std::vector<std::string> profiles = compare;
  for (const Clause& c : s.clauses()) {
    for (const Operand* o : {&c.lhs, &c.rhs}) {
      if (o->is_metric() && std::find(profiles.begin(), profiles.end(), o->profile) == profiles.end()) {
        profiles.push_back(o->profile);
      }
    }
  }
  return profiles;
}

// The shrunk document: the seed pinned, the condition as its `expect` (the profiles it names
// added to `compare` when missing there, as `expect` requires), id and title marked.
NodePtr Finish(const NodePtr& root, const Shrinker& s, const std::vector<std::string>& compare,
               const std::map<std::string, sim::Summary>& runs) {
  NodePtr out = sim::loader::CloneTree(root);
  auto set = [&](std::string_view key, NodePtr value) {
    for (sim::loader::Entry& e : out->entries) {
      if (e.key == key) {
        e.value = std::move(value);
        return;
      }
    }
    out->entries.push_back(sim::loader::Entry{std::string(key), {}, std::move(value)});
  };
  if (Node* id = FindKey(out.get(), "scenario"); id && id->is_scalar() && id->text.size() <= 120) {
    set("scenario", Scalar(id->text + "-shrunk", id->quoted));
  }
  if (Node* title = FindKey(out.get(), "title"); title && title->is_scalar()) {
    set("title", Scalar(title->text + " (shrunk)", title->quoted));
  }
  set("seed", Scalar(absl::StrCat(s.seed())));
  std::vector<std::string> profiles = ResultProfiles(s, compare);
  if (profiles != compare || !FindKey(out.get(), "compare")) {
    auto list = std::make_shared<Node>();
    list->kind = Node::Kind::kSeq;
    for (const std::string& p : profiles) list->items.push_back(Scalar(p));
    set("compare", list);
  }
  auto expect = std::make_shared<Node>();
  expect->kind = Node::Kind::kMap;
  for (const Assertion& a : ExpectOf(s.clauses(), runs)) {
    Node* profile = FindKey(expect.get(), a.profile);
    if (!profile) {
      auto m = std::make_shared<Node>();
      m->kind = Node::Kind::kMap;
      expect->entries.push_back(sim::loader::Entry{a.profile, {}, m});
      profile = m.get();
    }
    std::string text = absl::StrCat(a.op, " ", sim::FormatMetric(a.value));
    profile->entries.push_back(sim::loader::Entry{a.metric, {}, Scalar(text, true)});
  }
  RemoveKey(out.get(), "expect");
  out->entries.push_back(sim::loader::Entry{"expect", {}, expect});
  return out;
}

// When the condition names one profile and another compared profile meets it too in the result,
// the shrunk scenario may no longer show what sets the first apart: say how to keep that.
std::string ProfileHint(const Shrinker& s, const std::map<std::string, sim::Summary>& runs) {
  const std::string& named = s.clauses()[0].lhs.profile;
  for (const Clause& c : s.clauses()) {
    if (c.lhs.profile != named || c.rhs.is_metric()) return "";
  }
  std::vector<std::string> also;
  for (const auto& [profile, summary] : runs) {
    if (profile == named) continue;
    bool holds = true;
    for (const Clause& c : s.clauses()) {
      double v = sim::MetricValue(summary, c.lhs.metric).value_or(0);
      holds = holds && Compare(v, c.op, c.rhs.value);
    }
    if (holds) also.push_back(profile);
  }
  if (also.empty()) return "";
  const Clause& c = s.clauses()[0];
  return absl::StrCat("note: ", absl::StrJoin(also, ", "), also.size() == 1 ? " meets" : " meet",
                      " the condition too in the shrunk scenario; to keep a difference between "
                      "profiles, shrink with a condition such as '",
                      c.lhs.Text(), " ", sim::CompareOpText(c.op), " ", also[0], ".", c.lhs.metric,
                      "'");
}

int ShrinkCommand(const ShrinkFlags& f) {
  absl::StatusOr<std::vector<Clause>> clauses = ParseCondition(f.until);
  if (!clauses.ok()) {
    std::cerr << clauses.status().message() << "\n";
    return kExitInvalid;
  }
  std::string bytes;
  absl::StatusOr<sim::ScenarioDocument> doc = ReadScenario(f.scenario, &bytes);
  absl::StatusOr<sim::Scenario> original = doc.ok() ? doc->Load() : doc.status();
  if (!original.ok()) {
    std::cerr << original.status().message() << "\n";
    return kExitInvalid;
  }
  if (!f.out.empty() && !f.scenario.empty() && reports::SameFile(f.out, f.scenario)) {
    std::cerr << f.out << ": refusing to overwrite the scenario being shrunk\n";
    return kExitInvalid;
  }
  std::string shown_path = f.scenario.empty() ? doc->path() : f.scenario;
  std::vector<std::string> texts;
  for (const Clause& c : *clauses) texts.push_back(c.Text());
  std::string condition = absl::StrJoin(texts, " && ");
  Shrinker shrinker(doc->path(), *clauses, f.seed.value_or(original->seed), f.max_runs);
  std::string first;
  if (!shrinker.Holds(doc->root(), &first, /*force=*/true)) {
    std::cerr << "shrink: " << condition << " does not hold for " << shown_path << " with seed "
              << shrinker.seed() << " (" << first << "); nothing to shrink\n";
    return kExitNotHolding;
  }
  std::ostream& log = f.out.empty() ? std::cerr : std::cout;
  if (!f.quiet) {
    log << "shrink: " << condition << " holds for " << shown_path << " (seed " << shrinker.seed()
        << "; " << first << ")\n";
  }
  // The original `expect` goes (the condition replaces it), so that no candidate is refused for
  // an assertion about something the search removed.
  NodePtr start = sim::loader::CloneTree(doc->root());
  RemoveKey(start.get(), "expect");
  shrinker.Run(start, [&](size_t n, const std::string& step) {
    if (!f.quiet) log << "  " << n << ". " << step << "\n";
  });
  std::string last;
  shrinker.Holds(shrinker.root(), &last, /*force=*/true);
  size_t candidate_runs = shrinker.runs();
  absl::StatusOr<sim::Scenario> shrunk = sim::ScenarioDocument(doc->path(), shrinker.root()).Load();
  if (!shrunk.ok()) {  // every accepted step loaded
    std::cerr << "shrink: internal error: " << Msg(shrunk.status()) << "\n";
    return kExitInternal;
  }
  std::map<std::string, sim::Summary> runs =
      shrinker.RunProfiles(*shrunk, ResultProfiles(shrinker, original->compare));
  NodePtr result = Finish(shrinker.root(), shrinker, original->compare, runs);
  std::string hint = ProfileHint(shrinker, runs);
  std::string header = absl::StrCat(
      "# Shrunk by `rmqsim shrink` from ", shown_path, " (seed ", shrinker.seed(), "): the smallest\n",
      "# scenario found for which `", condition, "` still holds.\n",
      "# Original: ", first, "; here: ", last, ".\n# ", shrinker.steps().size(), " steps, ",
      candidate_runs, " candidate runs (", shrinker.invalid(), " candidates were not valid scenarios)",
      shrinker.exhausted() ? "; stopped at --max-runs, it may shrink further" : "", ":\n");
  for (size_t i = 0; i < shrinker.steps().size(); ++i) {
    absl::StrAppend(&header, "#   ", i + 1, ". ", shrinker.steps()[i], "\n");
  }
  if (!hint.empty()) absl::StrAppend(&header, "# ", hint, "\n");
  absl::StrAppend(&header, "# Replay: rmqsim run ", f.out.empty() ? "FILE" : f.out,
                  " (`rmqsim check` asserts the condition)\n");
  std::string yaml = header + sim::loader::EmitYaml(*result);
  // Round trip: the file must load and still satisfy the condition.
  std::string check_path = f.out.empty() ? "shrunk.yaml" : f.out;
  if (check_path.size() < 5 || (check_path.substr(check_path.size() - 5) != ".yaml" &&
                                check_path.substr(check_path.size() - 4) != ".yml")) {
    check_path += ".yaml";
  }
  absl::StatusOr<sim::ScenarioDocument> back = sim::ScenarioDocument::Parse(yaml, check_path);
  absl::StatusOr<sim::Scenario> loaded = back.ok() ? back->Load() : back.status();
  std::string reloaded;
  if (!loaded.ok() || !shrinker.Holds(back->root(), &reloaded, /*force=*/true)) {
    std::cerr << "shrink: internal error: the shrunk scenario does not load back or no longer "
                 "satisfies the condition: "
              << (loaded.ok() ? reloaded : Msg(loaded.status())) << "\n";
    return kExitInternal;
  }
  if (f.out.empty()) {
    std::cout << yaml;
  } else {
    absl::Status st = reports::WriteFileAtomically(f.out, [&](std::ostream& o) { o << yaml; });
    if (!st.ok()) {
      std::cerr << st.message() << "\n";
      return kExitInvalid;
    }
  }
  if (!f.quiet) {
    log << "shrink: " << shrinker.steps().size() << " steps, " << candidate_runs
        << " candidate runs; result: " << last;
    if (!f.out.empty()) log << "; wrote " << f.out;
    log << "\n";
    if (!hint.empty()) log << "shrink: " << hint << "\n";
  }
  return kExitOk;
}

}  // namespace

Command AddShrinkCommand(CLI::App& app) {
  auto f = std::make_shared<ShrinkFlags>();
  CLI::App* shrink = app.add_subcommand(
      "shrink", "Delta-debug a scenario down to the smallest one that still meets a condition");
  shrink->add_option("scenario", f->scenario, "Scenario file; default: the built-in #3556 scenario");
  shrink->add_option("--until", f->until,
                     "Condition that must keep holding: 'PROFILE.METRIC OP VALUE' or "
                     "'PROFILE.METRIC OP PROFILE.METRIC', clauses joined by && (e.g. "
                     "'4.9.0.lost > 0', '4.9.0.lost > 4.9.3.lost')")
      ->required();
  shrink->add_option("--out", f->out, "Write the shrunk scenario (YAML) here; default: stdout");
  shrink->add_option("--seed", f->seed, "Seed of every candidate run (default: the scenario's)");
  shrink->add_option("--max-runs", f->max_runs, "Stop after this many candidate runs (default 5000)");
  shrink->add_flag("--quiet", f->quiet, "Print no steps");
  shrink->footer(
      "Examples:\n"
      "  rmqsim shrink tests/scenarios/shrink/issue-3556-bloated.yaml --until '4.9.0.lost > 0' --out small.yaml\n"
      "  rmqsim shrink tests/scenarios/shrink/issue-3556-bloated.yaml --until '4.9.0.lost > 4.9.3.lost'\n"
      "  rmqsim shrink my-case.yaml --until '4.9.0.lost > 0 && 4.9.3.lost == 0'\n"
      "Exit status: 0 shrunk; 1 the condition does not hold for the scenario as given; 2 invalid input.");
  return Command(shrink, [f] { return ShrinkCommand(*f); });
}

}  // namespace rmqsim::tools
