// `--set PATH=VALUE`: editing the generic tree before validation (ScenarioDocument::Set) and the
// loader entry points that take overrides.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "sim/scenario_document.h"
#include "sim/scenario_loader.h"

namespace rmqsim::sim {
namespace {

using loader::Cat;
using loader::Node;
using loader::NodePtr;
using loader::Pos;

struct Segment {
  std::string key;  // a map key, or empty for a list index
  bool is_index = false;
  size_t index = 0;
};

constexpr std::string_view kPathHelp =
    "write map keys separated by '.' and list indexes as [N], e.g. "
    "producers[0].config.send_latency_fault_enable";

absl::StatusOr<std::vector<Segment>> ParsePath(std::string_view path) {
  std::vector<Segment> segs;
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        Cat("invalid path ", loader::Quote(path), ": ", why, "; ", kPathHelp));
  };
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < path.size() && path[i] != '.' && path[i] != '[' && path[i] != ']') ++i;
    if (i == start) return bad(Cat("expected a key at character ", i + 1));
    segs.push_back(Segment{std::string(path.substr(start, i - start))});
    while (i < path.size() && path[i] == '[') {
      size_t digits = ++i;
      uint64_t n = 0;
      while (i < path.size() && path[i] >= '0' && path[i] <= '9' && i - digits < 9) {
        n = n * 10 + static_cast<uint64_t>(path[i++] - '0');
      }
      if (i == digits || i >= path.size() || path[i] != ']') {
        return bad(Cat("expected a list index [N] at character ", digits));
      }
      ++i;
      segs.push_back(Segment{"", true, static_cast<size_t>(n)});
    }
    if (i == path.size()) return segs;
    if (path[i] != '.') return bad(Cat("unexpected ", loader::Quote(path.substr(i, 1)),
                                       " at character ", i + 1));
    ++i;
  }
}

// What an item of a list under `key` is called in messages.
std::pair<std::string_view, std::string_view> ItemNoun(std::string_view key) {
  static const std::pair<std::string_view, std::pair<std::string_view, std::string_view>> kNouns[] =
      {{"producers", {"producer", "producers"}}, {"consumers", {"consumer", "consumers"}},
       {"faults", {"fault", "faults"}},          {"brokers", {"broker", "brokers"}},
       {"topics", {"topic", "topics"}},          {"nameservers", {"name server", "name servers"}},
       {"send", {"workload", "workloads"}},      {"compare", {"profile", "profiles"}},
       {"references", {"reference", "references"}}};
  for (const auto& [k, noun] : kNouns) {
    if (k == key) return noun;
  }
  return {"item", "items"};
}

std::string Count(size_t n, std::string_view key) {
  auto [one, many] = ItemNoun(key);
  if (n == 0) return Cat("no ", many);
  return Cat(n, " ", n == 1 ? one : many);
}

// "the scenario has 1 producer", "producers[0] has 2 workloads"
std::string Owner(std::string_view parent) {
  return parent.empty() ? std::string("the scenario") : std::string(parent);
}

std::string Shown(std::string_view parent, const Segment& s) {
  if (s.is_index) return Cat(parent, "[", s.index, "]");
  return parent.empty() ? s.key : Cat(parent, ".", s.key);
}

std::string Describe(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kMap:
      return "a map";
    case Node::Kind::kSeq:
      return "a list";
    case Node::Kind::kNull:
      return "null";
    case Node::Kind::kScalar:
      break;
  }
  return loader::Quote(n.text);
}

void SetPositions(Node& n, Pos pos) {
  n.pos = pos;
  for (const NodePtr& item : n.items) SetPositions(*item, pos);
  for (loader::Entry& e : n.entries) {
    e.key_pos = pos;
    SetPositions(*e.value, pos);
  }
}

absl::StatusOr<NodePtr> ParseValue(const ScenarioOverride& o) {
  auto null = std::make_shared<Node>();
  if (o.value.find_first_not_of(" \t") == std::string::npos) return null;
  LoadLimits limits;
  limits.max_nodes = 100'000;
  loader::SourceText source(o.value);
  loader::Diagnostics diags;
  NodePtr root;
  if (loader::CheckEncoding(source, diags)) root = loader::ReadYaml(source, limits, diags);
  if (!diags.empty() || !root) {
    return absl::InvalidArgumentError(
        Cat(o.Flag(), ": the value is not valid YAML: ", diags.Format("VALUE", 3)));
  }
  return loader::CloneTree(root);  // aliases inside the value become separate nodes
}

NodePtr EmptyMap(Pos pos) {
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::kMap;
  n->pos = pos;
  return n;
}

}  // namespace

absl::StatusOr<ScenarioOverride> ParseOverrideFlag(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return absl::InvalidArgumentError(
        Cat("--set ", text, ": expected PATH=VALUE, e.g. producers[0].config.send_msg_timeout=5s"));
  }
  ScenarioOverride o{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  absl::StatusOr<std::vector<Segment>> segs = ParsePath(o.path);
  if (!segs.ok()) return absl::InvalidArgumentError(Cat("--set ", text, ": ", segs.status().message()));
  return o;
}

absl::Status ScenarioDocument::Set(const ScenarioOverride& o) {
  absl::StatusOr<std::vector<Segment>> parsed = ParsePath(o.path);
  if (!parsed.ok()) return absl::InvalidArgumentError(Cat(o.Flag(), ": ", parsed.status().message()));
  const std::vector<Segment>& segs = *parsed;
  absl::StatusOr<NodePtr> value = ParseValue(o);
  if (!value.ok()) return value.status();
  // "FILE:LINE:COL: --set PATH: why", at the node where the path stopped resolving (the list
  // that is too short, the map that lacks the key, the value that is not a collection).
  auto fail = [&](const Node& at, std::string_view why) {
    std::string where = at.pos.line > 0 ? Cat(path_, ":", at.pos.line, ":", at.pos.column, ": ")
                                        : Cat(path_, ": ");
    return absl::InvalidArgumentError(Cat(where, "--set ", o.path, ": ", why));
  };
  // Edits a copy of the path from the root, kept only if the whole path resolves.
  NodePtr root = std::make_shared<Node>(*root_);
  Node* cur = root.get();
  std::string shown;
  for (size_t i = 0; i < segs.size(); ++i) {
    const Segment& seg = segs[i];
    bool last = i + 1 == segs.size();
    std::string next = Shown(shown, seg);
    NodePtr* slot = nullptr;
    Pos pos = cur->pos;
    if (!seg.is_index) {
      if (!cur->is_map()) {
        if (shown.empty()) return fail(*cur, "the document is not a map");
        if (cur->is_seq()) {
          return fail(*cur, Cat(shown, " is a list; name an item as ", shown, "[N]"));
        }
        return fail(*cur, Cat(shown, " is ", Describe(*cur), ", not a map"));
      }
      for (loader::Entry& e : cur->entries) {
        if (e.key == seg.key) slot = &e.value;
      }
      if (slot) {
        pos = (*slot)->pos;
      } else if (!last && segs[i + 1].is_index) {
        return fail(*cur, Cat("no ", Shown(next, segs[i + 1]), " (", Owner(shown), " has ",
                        Count(0, seg.key), ")"));
      } else {
        cur->entries.push_back(loader::Entry{seg.key, cur->pos, EmptyMap(cur->pos)});
        slot = &cur->entries.back().value;
      }
    } else {
      // Both arms string_view: with a std::string arm the result would be a temporary string.
      std::string_view key =
          i > 0 && !segs[i - 1].is_index ? std::string_view(segs[i - 1].key) : std::string_view();
      if (!cur->is_seq()) {
        return fail(*cur,
                    Cat(shown, " is ", cur->is_map() ? "a map" : Describe(*cur), ", not a list"));
      }
      if (seg.index < cur->items.size()) {
        slot = &cur->items[seg.index];
        pos = (*slot)->pos;
      } else if (seg.index == cur->items.size() && last) {
        cur->items.push_back(EmptyMap(cur->pos));
        slot = &cur->items.back();
      } else {
        std::string parent = shown.substr(0, shown.size() - std::min(shown.size(), key.size()));
        if (!parent.empty() && parent.back() == '.') parent.pop_back();
        return fail(*cur, Cat("no ", next, " (", Owner(parent), " has ",
                              Count(cur->items.size(), key), ")"));
      }
    }
    if (last) {
      SetPositions(**value, pos);
      *slot = *value;
      applied_.push_back(Applied{pos, o.Flag()});
      root_ = std::move(root);
      return absl::OkStatus();
    }
    // Copy before editing: the node may be shared with the original document or a YAML alias.
    *slot = (*slot)->is_null() && !segs[i + 1].is_index ? EmptyMap((*slot)->pos)
                                                          : std::make_shared<Node>(**slot);
    cur = slot->get();
    shown = std::move(next);
  }
  return absl::OkStatus();
}

namespace {

absl::StatusOr<Scenario> LoadWithOverrides(absl::StatusOr<ScenarioDocument> doc,
                                           const std::vector<ScenarioOverride>& overrides,
                                           const LoadLimits& limits) {
  if (!doc.ok()) return doc.status();
  std::vector<std::string> problems;
  for (const ScenarioOverride& o : overrides) {
    absl::Status st = doc->Set(o);
    if (!st.ok()) problems.push_back(loader::Message(st));
  }
  if (!problems.empty()) return absl::InvalidArgumentError(loader::JoinStrings(problems, "\n"));
  return doc->Load(limits);
}

}  // namespace

absl::StatusOr<Scenario> ParseScenarioWithOverrides(std::string_view text, const std::string& path,
                                                    const std::vector<ScenarioOverride>& overrides,
                                                    const LoadLimits& limits) {
  return LoadWithOverrides(ScenarioDocument::Parse(text, path, limits), overrides, limits);
}

absl::StatusOr<Scenario> LoadScenarioFileWithOverrides(
    const std::string& path, const std::vector<ScenarioOverride>& overrides,
    const LoadLimits& limits) {
  return LoadWithOverrides(ScenarioDocument::ReadFile(path, limits), overrides, limits);
}

}  // namespace rmqsim::sim
