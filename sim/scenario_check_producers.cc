// The `producers` section: groups, instances and workloads. Settings (`config:`) are in
// scenario_check_config.cc.
#include <utility>

#include "sim/scenario_check.h"
#include "sim/scenario_values.h"

namespace rmqsim::sim::loader {
namespace {

constexpr int64_t kMaxThreads = 10'000;
constexpr int64_t kMaxBodyBytes = 4 << 20;  // upstream maxMessageSize default

const std::vector<std::string_view> kProducerKeys = {"group", "instances", "start_at", "config",
                                                     "send"};
const std::vector<std::string_view> kWorkloadKeys = {"topic", "mode",  "start",   "rate",
                                                     "count", "until", "threads", "body_size"};

const EnumOptions<SendMode> kModes = {
    {"sync", SendMode::kSync}, {"async", SendMode::kAsync}, {"oneway", SendMode::kOneway}};

// `count` xor `until`; `until` after `start`.
void CheckWorkloadEnd(Ctx& ctx, const Node& n, const std::string& path, WorkloadSpec& w) {
  const Entry* count = n.Find("count");
  const Entry* until = n.Find("until");
  if (count) {
    auto c = ReadInt(ctx, *count->value, Join(path, "count"), 1, INT64_MAX);
    if (c) w.count = *c;
  }
  if (until) w.until = ReadDuration(ctx, *until->value, Join(path, "until"));
  if (count && until) {
    auto at = [](const Entry* e) { return std::pair(e->key_pos.line, e->key_pos.column); };
    const Entry* later = at(count) > at(until) ? count : until;
    ctx.Error(later->key_pos, path, "give either 'count' or 'until', not both");
    w.until.reset();
  } else if (!count && !until) {
    ctx.Error(n.pos, path, "missing 'count' or 'until' (one of them is required)");
  }
  if (w.until && *w.until <= w.start) {
    ctx.Error(until->value->pos, Join(path, "until"),
              Cat("must be later than the workload's start (", w.start.ToString(), ")"));
    w.until.reset();
  }
}

void CheckThreads(Ctx& ctx, const Node& n, const std::string& path, WorkloadSpec& w, bool mode_ok) {
  const Entry* threads = n.Find("threads");
  if (!threads) return;
  auto t = ReadInt(ctx, *threads->value, Join(path, "threads"), 1, kMaxThreads);
  if (t) w.threads = static_cast<int32_t>(*t);
  if (mode_ok && w.mode != SendMode::kSync) {
    ctx.Error(threads->key_pos, path,
              Cat("'threads' applies only to sync workloads (mode is ", SendModeName(w.mode), ")"));
  }
}

void CheckWorkload(Ctx& ctx, const Node& n, const std::string& path, ProducerSpec& p) {
  if (!CheckMap(ctx, n, path, kWorkloadKeys, {"topic", "rate"})) return;
  WorkloadSpec w;
  w.loc = SourceLoc{n.pos.line, n.pos.column};
  if (const Entry* e = n.Find("topic")) {
    if (auto topic = ReadName(ctx, *e->value, Join(path, "topic"))) {
      CheckTopicDeclared(ctx, *e->value, Join(path, "topic"), *topic);
      w.topic = *topic;
    }
  }
  bool mode_ok = true;
  if (const Entry* e = n.Find("mode")) {
    auto mode = ReadEnum(ctx, *e->value, Join(path, "mode"), kModes);
    mode_ok = mode.has_value();
    if (mode) w.mode = *mode;
  }
  if (const Entry* e = n.Find("start")) {
    if (auto d = ReadDuration(ctx, *e->value, Join(path, "start"))) w.start = *d;
  }
  if (const Entry* e = n.Find("rate")) {
    if (auto r = ReadRate(ctx, *e->value, Join(path, "rate"))) w.rate = *r;
  }
  CheckWorkloadEnd(ctx, n, path, w);
  CheckThreads(ctx, n, path, w, mode_ok);
  if (const Entry* e = n.Find("body_size")) {
    auto b = ReadInt(ctx, *e->value, Join(path, "body_size"), 1, kMaxBodyBytes);
    if (b) w.body_size = static_cast<int32_t>(*b);
  }
  p.send.push_back(std::move(w));
}

void CheckSend(Ctx& ctx, const Node& n, const std::string& path, ProducerSpec& p) {
  if (!ReadSeq(ctx, n, path)) return;
  if (n.items.empty()) ctx.Error(n.pos, path, "list at least one workload");
  for (size_t i = 0; i < n.items.size(); ++i) CheckWorkload(ctx, *n.items[i], Index(path, i), p);
}

std::optional<std::string> CheckGroup(Ctx& ctx, const Node& n, const std::string& path) {
  std::optional<std::string> group = ReadName(ctx, n, path);
  if (group && ctx.HasProducer(*group)) {
    ctx.Error(n.pos, path, Cat("duplicate producer group ", Quote(*group)));
    return std::nullopt;
  }
  return group;
}

void CheckProducer(Ctx& ctx, const Node& n, const std::string& path) {
  if (!CheckMap(ctx, n, path, kProducerKeys, {"group", "send"})) return;
  ProducerSpec p;
  p.loc = SourceLoc{n.pos.line, n.pos.column};
  std::optional<std::string> group;
  if (const Entry* e = n.Find("group")) group = CheckGroup(ctx, *e->value, Join(path, "group"));
  if (const Entry* e = n.Find("instances")) {
    auto k = ReadInt(ctx, *e->value, Join(path, "instances"), 1, ctx.limits.max_instances);
    if (k) p.instances = static_cast<int32_t>(*k);
  }
  if (const Entry* e = n.Find("start_at")) {
    if (auto d = ReadDuration(ctx, *e->value, Join(path, "start_at"))) p.start_at = *d;
  }
  if (const Entry* e = n.Find("config")) {
    CheckProducerConfig(ctx, *e->value, Join(path, "config"), p);
  }
  if (const Entry* e = n.Find("send")) CheckSend(ctx, *e->value, Join(path, "send"), p);
  p.group = group.value_or("");
  ctx.AddProducer(std::move(p));
}

}  // namespace

void CheckProducers(Ctx& ctx, const Node& n) {
  if (!ReadSeq(ctx, n, "producers")) return;
  ctx.producers_complete = AllNamed(n, "group");
  if (n.items.empty()) ctx.Error(n.pos, "producers", "list at least one producer");
  for (size_t i = 0; i < n.items.size(); ++i) {
    CheckProducer(ctx, *n.items[i], Index("producers", i));
  }
}

}  // namespace rmqsim::sim::loader
