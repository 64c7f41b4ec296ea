// The `consumers` section (push consumers, rocketmq-consumer-behaviour.md), validated in full
// although this build cannot run it yet (see RejectUnbuiltFeatures in scenario_check.cc).
#include <algorithm>

#include "sim/scenario_check.h"
#include "sim/scenario_values.h"

namespace rmqsim::sim::loader {
namespace {

const std::vector<std::string_view> kConsumerKeys = {
    "group", "topic", "instances", "model", "listener", "start_at", "config", "behaviour"};
const std::vector<std::string_view> kConfigKeys = {"max_reconsume_times", "consume_timeout",
                                                   "consume_thread_min"};
const std::vector<std::string_view> kBehaviourKeys = {
    "fail_first",  "fail_ratio", "throw_ratio", "return_null_ratio",
    "always_fail", "hang",       "process_time"};

const EnumOptions<ConsumerModel> kModels = {{"clustering", ConsumerModel::kClustering},
                                            {"broadcasting", ConsumerModel::kBroadcasting}};
const EnumOptions<ListenerKind> kListeners = {{"concurrently", ListenerKind::kConcurrently},
                                              {"orderly", ListenerKind::kOrderly}};

void CheckConfig(Ctx& ctx, const Node& n, const std::string& path, ConsumerSpec& c) {
  if (!CheckMap(ctx, n, path, kConfigKeys)) return;
  // -1 (upstream's default): 16 for concurrently, Integer.MAX_VALUE for orderly listeners.
  int64_t max_reconsume = -1;
  if (const Entry* e = n.Find("max_reconsume_times")) {
    auto v = ReadInt(ctx, *e->value, Join(path, e->key), -1, INT32_MAX);
    if (v) max_reconsume = *v;
  }
  if (max_reconsume == -1) {
    max_reconsume = c.listener == ListenerKind::kOrderly ? INT32_MAX : 16;
  }
  c.max_reconsume_times = static_cast<int32_t>(max_reconsume);
  if (const Entry* e = n.Find("consume_timeout")) {
    auto d = ReadDuration(ctx, *e->value, Join(path, e->key), /*positive=*/true);
    if (d) c.consume_timeout = *d;
  }
  if (const Entry* e = n.Find("consume_thread_min")) {
    auto v = ReadInt(ctx, *e->value, Join(path, e->key), 1, 1000);
    if (v) c.consume_thread_min = static_cast<int32_t>(*v);
  }
}

void ReadRatioInto(Ctx& ctx, const Node& n, std::string_view key, const std::string& path,
                   std::optional<Ratio>& out) {
  if (const Entry* e = n.Find(key)) out = ReadRatio(ctx, *e->value, Join(path, key));
}

void CheckBehaviour(Ctx& ctx, const Node& n, const std::string& path, ConsumerBehaviour& b) {
  if (!CheckMap(ctx, n, path, kBehaviourKeys)) return;
  if (const Entry* e = n.Find("fail_first")) {
    auto v = ReadInt(ctx, *e->value, Join(path, e->key), 0, INT32_MAX);
    if (v) b.fail_first = static_cast<int32_t>(*v);
  }
  ReadRatioInto(ctx, n, "fail_ratio", path, b.fail_ratio);
  ReadRatioInto(ctx, n, "throw_ratio", path, b.throw_ratio);
  ReadRatioInto(ctx, n, "return_null_ratio", path, b.return_null_ratio);
  if (const Entry* e = n.Find("always_fail")) {
    if (auto v = ReadBool(ctx, *e->value, Join(path, e->key))) b.always_fail = *v;
  }
  if (const Entry* e = n.Find("hang")) {
    b.hang = ReadDuration(ctx, *e->value, Join(path, e->key), /*positive=*/true);
  }
  if (const Entry* e = n.Find("process_time")) {
    if (auto d = ReadDuration(ctx, *e->value, Join(path, e->key))) b.process_time = *d;
  }
}

void CheckIdentity(Ctx& ctx, const Node& n, const std::string& path, ConsumerSpec& c) {
  if (const Entry* e = n.Find("group")) {
    std::optional<std::string> group = ReadName(ctx, *e->value, Join(path, "group"));
    if (group && ctx.FindConsumer(*group)) {
      ctx.Error(e->value->pos, Join(path, "group"),
                Cat("duplicate consumer group ", Quote(*group)));
    } else if (group) {
      c.group = *group;
    }
  }
  if (const Entry* e = n.Find("topic")) {
    if (auto topic = ReadName(ctx, *e->value, Join(path, "topic"))) {
      CheckTopicDeclared(ctx, *e->value, Join(path, "topic"), *topic);
      c.topic = *topic;
    }
  }
}

void CheckConsumer(Ctx& ctx, const Node& n, const std::string& path) {
  if (!CheckMap(ctx, n, path, kConsumerKeys, {"group", "topic"})) return;
  ConsumerSpec c;
  c.loc = SourceLoc{n.pos.line, n.pos.column};
  CheckIdentity(ctx, n, path, c);
  if (const Entry* e = n.Find("instances")) {
    auto k = ReadInt(ctx, *e->value, Join(path, "instances"), 1, ctx.limits.max_instances);
    if (k) c.instances = static_cast<int32_t>(*k);
  }
  if (const Entry* e = n.Find("model")) {
    if (auto m = ReadEnum(ctx, *e->value, Join(path, "model"), kModels)) c.model = *m;
  }
  if (const Entry* e = n.Find("listener")) {
    if (auto l = ReadEnum(ctx, *e->value, Join(path, "listener"), kListeners)) c.listener = *l;
  }
  if (const Entry* e = n.Find("start_at")) {
    if (auto d = ReadDuration(ctx, *e->value, Join(path, "start_at"))) c.start_at = *d;
  }
  const Entry* config = n.Find("config");
  static const Node kEmptyMap = [] {
    Node m;
    m.kind = Node::Kind::kMap;
    return m;
  }();
  CheckConfig(ctx, config ? *config->value : kEmptyMap, Join(path, "config"), c);
  if (const Entry* e = n.Find("behaviour")) {
    CheckBehaviour(ctx, *e->value, Join(path, "behaviour"), c.behaviour);
  }
  ctx.AddConsumer(std::move(c));
}

}  // namespace

void CheckConsumers(Ctx& ctx, const Node& n) {
  ctx.consumers_complete = AllNamed(n, "group");
  if (!ReadSeq(ctx, n, "consumers")) return;
  for (size_t i = 0; i < n.items.size(); ++i) {
    CheckConsumer(ctx, *n.items[i], Index("consumers", i));
  }
}

}  // namespace rmqsim::sim::loader
