// The validator's top level: scalar keys, `compare`, the sections in dependency order, and the
// whole-scenario checks (planned message total).
#include "sim/scenario_check.h"

#include <algorithm>

#include "sim/profile.h"
#include "sim/scenario_values.h"

namespace rmqsim::sim::loader {
namespace {

__extension__ typedef unsigned __int128 Uint128;

const std::vector<std::string_view> kTopKeys = {
    "scenario", "title",   "description", "references", "seed",   "duration",
    "compare",  "cluster", "producers",   "consumers",  "faults", "expect"};
const std::vector<std::string_view> kTopRequired = {"scenario", "title", "duration", "cluster",
                                                    "producers"};

const Node* Value(const Node& map, std::string_view key) {
  const Entry* e = map.Find(key);
  return e ? e->value.get() : nullptr;
}

void CheckId(Ctx& ctx, const Node& n) {
  std::optional<std::string> id = ReadString(ctx, n, "scenario");
  if (!id) return;
  if (!IsValidScenarioId(*id) || id->size() > 127) {
    ctx.Error(n.pos, "scenario",
              Cat("invalid id ", Quote(*id),
                  ": use lowercase letters, digits and '-', starting with a letter or "
                  "digit (at most 127 characters)"));
    return;
  }
  ctx.s.id = *id;
}

void CheckTitle(Ctx& ctx, const Node& n) {
  std::optional<std::string> title = ReadString(ctx, n, "title");
  if (!title) return;
  if (title->empty() || title->find('\n') != std::string::npos) {
    ctx.Error(n.pos, "title", "must be one non-empty line");
    return;
  }
  ctx.s.title = *title;
}

void CheckReferences(Ctx& ctx, const Node& n) {
  if (!ReadSeq(ctx, n, "references")) return;
  for (size_t i = 0; i < n.items.size(); ++i) {
    if (auto ref = ReadString(ctx, *n.items[i], Index("references", i))) {
      ctx.s.references.push_back(*ref);
    }
  }
}

std::vector<std::string_view> ProfileNames() {
  std::vector<std::string_view> names;
  for (const Profile* p : AllProfiles()) names.push_back(p->name);
  return names;
}

void CheckCompare(Ctx& ctx, const Node& n) {
  if (!ReadSeq(ctx, n, "compare")) return;
  ctx.s.compare.clear();
  if (n.items.empty()) ctx.Error(n.pos, "compare", "list at least one profile");
  for (size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = *n.items[i];
    std::string path = Index("compare", i);
    std::optional<std::string> name = ReadString(ctx, item, path);
    if (!name) continue;
    if (!FindProfile(*name)) {
      ctx.Error(item.pos, path,
                Cat("unknown profile ", Quote(*name), ctx.Suggest(*name, ProfileNames()),
                    "; `rmqsim list` shows the profiles"));
    } else if (std::find(ctx.s.compare.begin(), ctx.s.compare.end(), *name) !=
               ctx.s.compare.end()) {
      ctx.Error(item.pos, path, Cat("profile ", Quote(*name), " is listed twice"));
    } else {
      ctx.s.compare.push_back(*name);
    }
  }
}

void CheckScalars(Ctx& ctx, const Node& root) {
  if (const Node* n = Value(root, "scenario")) CheckId(ctx, *n);
  if (const Node* n = Value(root, "title")) CheckTitle(ctx, *n);
  if (const Node* n = Value(root, "description")) {
    if (auto d = ReadString(ctx, *n, "description")) ctx.s.description = *d;
  }
  if (const Node* n = Value(root, "references")) CheckReferences(ctx, *n);
  if (const Node* n = Value(root, "seed")) {
    if (auto seed = ReadUint64(ctx, *n, "seed")) ctx.s.seed = *seed;
  }
  if (const Node* n = Value(root, "duration")) {
    ctx.duration = ReadDuration(ctx, *n, "duration", /*positive=*/true);
    if (ctx.duration && *ctx.duration > ctx.limits.max_duration) {
      ctx.Error(n->pos, "duration",
                Cat(ctx.duration->ToString(), " is longer than the longest horizon rmqsim runs (",
                    ctx.limits.max_duration.ToString(), ")"));
      ctx.duration.reset();
    }
    if (ctx.duration) ctx.s.duration = *ctx.duration;
  }
  if (const Node* n = Value(root, "compare")) CheckCompare(ctx, *n);
}

// Messages one workload plans: `count`, or those planned before `until`.
Uint128 PlannedMessages(const WorkloadSpec& w) {
  if (w.count) return static_cast<Uint128>(*w.count);
  if (!w.until || w.rate.unit_ns_scaled == 0 || *w.until <= w.start) return 0;
  // Message i is planned at start + floor(i * unit / count) < until  <=>  i * unit < span * count.
  Uint128 span = static_cast<Uint128>((*w.until - w.start).ns());
  Uint128 product = span * w.rate.count_scaled;
  return (product + w.rate.unit_ns_scaled - 1) / w.rate.unit_ns_scaled;
}

Uint128 SatMulAdd(Uint128 total, Uint128 a, Uint128 b) {
  constexpr Uint128 kMax = ~static_cast<Uint128>(0);
  if (a != 0 && b > kMax / a) return kMax;
  return total > kMax - a * b ? kMax : total + a * b;
}

void CheckPlannedMessages(Ctx& ctx, const Entry& producers) {
  Uint128 total = 0;
  for (const ProducerSpec& p : ctx.s.producers) {
    for (const WorkloadSpec& w : p.send) {
      total = SatMulAdd(total, PlannedMessages(w), static_cast<Uint128>(p.instances));
    }
  }
  if (total <= ctx.limits.max_messages) return;
  std::string planned =
      total > UINT64_MAX ? "more than 18446744073709551615" : Cat(static_cast<uint64_t>(total));
  ctx.Error(producers.key_pos, "producers",
            Cat("the scenario plans ", planned, " messages; the limit is ", ctx.limits.max_messages,
                " (--max-messages)"));
}

}  // namespace

void CheckScenario(Ctx& ctx, const Node& root) {
  if (!root.is_map()) {
    TypeError(ctx, root, "", "a map of scenario keys at the top level");
    return;
  }
  CheckMap(ctx, root, "", kTopKeys, kTopRequired);
  CheckScalars(ctx, root);
  ctx.has_consumers = root.Find("consumers") != nullptr;
  if (const Node* n = Value(root, "cluster")) CheckCluster(ctx, *n);
  if (const Node* n = Value(root, "producers")) CheckProducers(ctx, *n);
  if (const Node* n = Value(root, "consumers")) CheckConsumers(ctx, *n);
  if (const Node* n = Value(root, "faults")) CheckFaults(ctx, *n);
  if (const Node* n = Value(root, "expect")) CheckExpect(ctx, *n);
  if (const Entry* e = root.Find("producers")) CheckPlannedMessages(ctx, *e);
}

}  // namespace rmqsim::sim::loader
