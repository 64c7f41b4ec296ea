// The `consumers` section (push consumers, rocketmq-consumer-behaviour.md): identity, model,
// listener, `config:` settings from the consumer-settings registry (sim/consumer_settings.h) and
// the listener `behaviour`.
#include <algorithm>

#include "absl/time/time.h"
#include "sim/consumer_settings.h"
#include "sim/scenario_check.h"
#include "sim/scenario_values.h"

namespace rmqsim::sim::loader {
namespace {

const std::vector<std::string_view> kConsumerKeys = {
    "group", "topic", "instances", "model", "listener", "start_at", "config", "behaviour"};
const std::vector<std::string_view> kBehaviourKeys = {
    "fail_first",  "fail_ratio", "throw_ratio",  "return_null_ratio",
    "always_fail", "hang",       "process_time", "delay_level_when_next_consume"};

std::vector<std::string_view> ConfigKeys() {
  std::vector<std::string_view> keys;
  for (const ConsumerSettingInfo& s : AllConsumerSettings()) keys.push_back(s.key);
  return keys;
}

std::string Ms(int64_t ms) { return absl::FormatDuration(absl::Milliseconds(ms)); }

// A registry setting beyond the three ConsumerSpec keeps as fields.
void ReadOtherSetting(Ctx& ctx, const Entry& e, const std::string& path, ConsumerSpec& c) {
  const ConsumerSettingInfo* info = FindConsumerSetting(e.key);
  std::string p = Join(path, e.key);
  SourceLoc loc{e.key_pos.line, e.key_pos.column};
  if (info->type == ConsumerSettingType::kInt) {
    if (auto v = ReadInt(ctx, *e.value, p, info->min, info->max)) {
      c.config.push_back(ConsumerSettingOverride{info, ConsumerSettingValue(*v), loc});
    }
    return;
  }
  std::optional<SimDuration> d = ReadDuration(ctx, *e.value, p);
  if (!d) return;
  if (d->ns() < info->min * 1000000 || d->ns() > info->max * 1000000) {
    ctx.Error(e.value->pos, p,
              Cat("must be between ", Ms(info->min), " and ", Ms(info->max), " (got ",
                  Quote(e.value->text), ")"));
    return;
  }
  c.config.push_back(ConsumerSettingOverride{info, ConsumerSettingValue(*d), loc});
}

const EnumOptions<ConsumerModel> kModels = {{"clustering", ConsumerModel::kClustering},
                                            {"broadcasting", ConsumerModel::kBroadcasting}};
const EnumOptions<ListenerKind> kListeners = {{"concurrently", ListenerKind::kConcurrently},
                                              {"orderly", ListenerKind::kOrderly}};

void CheckConfig(Ctx& ctx, const Node& n, const std::string& path, ConsumerSpec& c) {
  if (!CheckMap(ctx, n, path, ConfigKeys())) return;
  for (const Entry& e : n.entries) {
    if (e.key == "max_reconsume_times" || e.key == "consume_timeout" ||
        e.key == "consume_thread_min" || !FindConsumerSetting(e.key)) {
      continue;
    }
    ReadOtherSetting(ctx, e, path, c);
  }
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
  if (const Entry* e = n.Find("delay_level_when_next_consume")) {
    // The broker clamps a level above its last one (messageDelayLevel) to the last.
    auto v = ReadInt(ctx, *e->value, Join(path, e->key), -1, INT32_MAX);
    if (v) b.delay_level_when_next_consume = static_cast<int32_t>(*v);
  }
}

// delayLevelWhenNextConsume is a ConsumeConcurrentlyContext field read only by a clustering
// consumer's send-back: an orderly listener has no such field and a broadcasting consumer drops
// failures, so the setting would be silently ignored there.
void RejectUnusedLevel(Ctx& ctx, const Node& n, const std::string& path, const ConsumerSpec& c) {
  const Entry* e = n.Find("delay_level_when_next_consume");
  if (e == nullptr) return;
  if (c.listener == ListenerKind::kOrderly) {
    ctx.Error(e->key_pos, Join(path, e->key),
              "only a concurrently listener has delayLevelWhenNextConsume (an orderly listener "
              "suspends its queue instead)");
  } else if (c.model == ConsumerModel::kBroadcasting) {
    ctx.Error(e->key_pos, Join(path, e->key),
              "a broadcasting consumer never sends failures back, so no delay level applies");
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
    RejectUnusedLevel(ctx, *e->value, Join(path, "behaviour"), c);
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
