// The `cluster` section: name servers, brokers, topics and cluster-wide settings.
#include <algorithm>
#include <set>

#include "absl/strings/str_split.h"
#include "sim/scenario_check.h"
#include "sim/scenario_values.h"

namespace rmqsim::sim::loader {
namespace {

constexpr int64_t kMaxQueues = 1024;

const std::vector<std::string_view> kClusterKeys = {"nameservers",      "brokers",
                                                    "topics",           "auto_create_topic",
                                                    "client_step_time", "message_delay_level"};
const std::vector<std::string_view> kBrokerKeys = {"name", "queues", "network_delay",
                                                   "service_time"};
const std::vector<std::string_view> kTopicKeys = {"name", "brokers"};

void CheckNameServerList(Ctx& ctx, const Node& n, std::vector<std::string>& out) {
  std::set<std::string> seen;
  if (n.items.size() > ctx.limits.max_brokers) {
    return ctx.Error(n.pos, "cluster.nameservers",
                     Cat(n.items.size(), " name servers; the limit is ", ctx.limits.max_brokers,
                         " (--max-brokers)"));
  }
  if (n.items.empty()) ctx.Error(n.pos, "cluster.nameservers", "list at least one name server");
  for (size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = *n.items[i];
    std::string path = Index("cluster.nameservers", i);
    std::optional<std::string> name = ReadName(ctx, item, path);
    if (!name) continue;
    if (!seen.insert(*name).second) {
      ctx.Error(item.pos, path, Cat("duplicate name server ", Quote(*name)));
      continue;
    }
    out.push_back(*name);
  }
}

void CheckNameServers(Ctx& ctx, const Node& n) {
  std::vector<std::string> names;
  if (n.is_scalar() && !n.quoted) {
    ctx.nameservers_complete = false;
    auto count =
        ReadInt(ctx, n, "cluster.nameservers", 1,
                static_cast<int64_t>(std::min<uint64_t>(ctx.limits.max_brokers, INT32_MAX)));
    if (!count) return;
    for (int64_t i = 1; i <= *count; ++i) names.push_back(Cat("ns-", i));
  } else if (n.is_seq()) {
    CheckNameServerList(ctx, n, names);
  } else {
    ctx.nameservers_complete = false;
    TypeError(ctx, n, "cluster.nameservers", "a list of names or a count");
    return;
  }
  ctx.nameservers_complete =
      n.is_scalar() || std::all_of(n.items.begin(), n.items.end(), [](const NodePtr& item) {
        return item->is_scalar() && IsValidName(item->text);
      });
  ctx.SetNameServers(std::move(names));
}

void CheckBroker(Ctx& ctx, const Node& n, const std::string& path) {
  if (!CheckMap(ctx, n, path, kBrokerKeys, {"name"})) return;
  BrokerSpec b;
  b.loc = SourceLoc{n.pos.line, n.pos.column};
  bool ok = true;
  if (const Entry* e = n.Find("name")) {
    std::optional<std::string> name = ReadName(ctx, *e->value, Join(path, "name"));
    if (name && ctx.FindBroker(*name)) {
      ctx.Error(e->value->pos, Join(path, "name"),
                Cat("duplicate broker name ", Quote(*name), " (first at line ",
                    ctx.FindBroker(*name)->loc.line, ")"));
      name.reset();
    } else if (name && ctx.HasNameServer(*name)) {
      ctx.Error(e->value->pos, Join(path, "name"),
                Cat(Quote(*name), " is already the name of a name server"));
      name.reset();
    }
    ok = name.has_value();
    if (name) b.name = *name;
  }
  if (const Entry* e = n.Find("queues")) {
    auto q = ReadInt(ctx, *e->value, Join(path, "queues"), 1, kMaxQueues);
    if (q) b.queues = static_cast<int32_t>(*q);
  }
  if (const Entry* e = n.Find("network_delay")) {
    if (auto d = ReadDuration(ctx, *e->value, Join(path, "network_delay"))) b.network_delay = *d;
  }
  if (const Entry* e = n.Find("service_time")) {
    if (auto d = ReadDuration(ctx, *e->value, Join(path, "service_time"))) b.service_time = *d;
  }
  if (ok && n.Find("name")) ctx.AddBroker(std::move(b));
}

void CheckBrokers(Ctx& ctx, const Node& n) {
  if (!ReadSeq(ctx, n, "cluster.brokers")) return;
  ctx.brokers_complete = AllNamed(n, "name") && n.items.size() <= ctx.limits.max_brokers;
  if (n.items.empty()) ctx.Error(n.pos, "cluster.brokers", "list at least one broker");
  if (n.items.size() > ctx.limits.max_brokers) {
    ctx.Error(
        n.pos, "cluster.brokers",
        Cat(n.items.size(), " brokers; the limit is ", ctx.limits.max_brokers, " (--max-brokers)"));
    return;
  }
  for (size_t i = 0; i < n.items.size(); ++i) {
    CheckBroker(ctx, *n.items[i], Index("cluster.brokers", i));
  }
}

// A broker a topic names: known, and not named twice for the same topic.
bool CheckTopicBroker(Ctx& ctx, const TopicSpec& t, std::string_view name, Pos pos,
                      std::string_view path) {
  if (!ctx.FindBroker(name)) {
    if (!ctx.brokers_complete) return false;
    ctx.Error(pos, path, Cat("unknown broker ", Quote(name), ctx.Suggest(name, ctx.BrokerNames())));
    return false;
  }
  for (const TopicBroker& tb : t.brokers) {
    if (tb.broker == name) {
      ctx.Error(pos, path, Cat("broker ", Quote(name), " is listed twice"));
      return false;
    }
  }
  return true;
}

void CheckTopicBrokerList(Ctx& ctx, const Node& n, const std::string& path, TopicSpec& t) {
  for (size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = *n.items[i];
    std::optional<std::string> name = ReadName(ctx, item, Index(path, i));
    if (!name || !CheckTopicBroker(ctx, t, *name, item.pos, Index(path, i))) continue;
    t.brokers.push_back(TopicBroker{*name, ctx.FindBroker(*name)->queues});
  }
}

void CheckTopicBrokerMap(Ctx& ctx, const Node& n, const std::string& path, TopicSpec& t) {
  for (const Entry& e : n.entries) {
    std::string entry_path = Join(path, e.key);
    auto queues = ReadInt(ctx, *e.value, entry_path, 1, kMaxQueues);
    if (!CheckTopicBroker(ctx, t, e.key, e.key_pos, path) || !queues) continue;
    t.brokers.push_back(TopicBroker{e.key, static_cast<int32_t>(*queues)});
  }
}

void CheckTopicBrokers(Ctx& ctx, const Node& n, const std::string& path, TopicSpec& t) {
  if (n.is_seq()) {
    CheckTopicBrokerList(ctx, n, path, t);
  } else if (n.is_map()) {
    CheckTopicBrokerMap(ctx, n, path, t);
  } else {
    TypeError(ctx, n, path, "a list of brokers or a map of broker: queues");
    return;
  }
  if (n.items.empty() && n.entries.empty()) ctx.Error(n.pos, path, "list at least one broker");
}

void CheckTopic(Ctx& ctx, const Node& n, const std::string& path) {
  if (!CheckMap(ctx, n, path, kTopicKeys, {"name"})) return;
  TopicSpec t;
  t.loc = SourceLoc{n.pos.line, n.pos.column};
  std::optional<std::string> name;
  if (const Entry* e = n.Find("name")) name = ReadName(ctx, *e->value, Join(path, "name"));
  if (name && ctx.HasTopic(*name)) {
    ctx.Error(n.Find("name")->value->pos, Join(path, "name"),
              Cat("duplicate topic ", Quote(*name)));
    name.reset();
  }
  if (const Entry* e = n.Find("brokers")) {
    CheckTopicBrokers(ctx, *e->value, Join(path, "brokers"), t);
  } else {
    for (const BrokerSpec& b : ctx.s.cluster.brokers) t.brokers.push_back({b.name, b.queues});
  }
  if (!name) return;
  t.name = *name;
  ctx.AddTopic(std::move(t));
}

void CheckTopics(Ctx& ctx, const Node& n) {
  ctx.topics_complete = AllNamed(n, "name");
  if (!ReadSeq(ctx, n, "cluster.topics")) return;
  for (size_t i = 0; i < n.items.size(); ++i) {
    CheckTopic(ctx, *n.items[i], Index("cluster.topics", i));
  }
}

void CheckStepTime(Ctx& ctx, const Node& n) {
  constexpr std::string_view kPath = "cluster.client_step_time";
  if (!n.is_scalar()) return TypeError(ctx, n, kPath, "a duration or a range LOW..HIGH");
  size_t sep = n.text.find("..");
  if (sep == std::string::npos) {
    if (auto d = ReadDuration(ctx, n, kPath)) ctx.s.cluster.client_step_time = StepTime{*d, *d};
    return;
  }
  auto low = ParseDurationText(std::string_view(n.text).substr(0, sep));
  auto high = ParseDurationText(std::string_view(n.text).substr(sep + 2));
  for (const auto* d : {&low, &high}) {
    if (!d->ok()) return ctx.Error(n.pos, kPath, Message(d->status()));
  }
  if (*low > *high) {
    return ctx.Error(n.pos, kPath,
                     Cat("the range's low end (", low->ToString(), ") exceeds its high end (",
                         high->ToString(), ")"));
  }
  ctx.s.cluster.client_step_time = StepTime{*low, *high};
}

void AddDelayLevel(Ctx& ctx, const Node& n, std::string_view path, std::string_view text) {
  absl::StatusOr<SimDuration> d = ParseDurationText(text);
  if (!d.ok()) return ctx.Error(n.pos, path, Message(d.status()));
  if (*d == SimDuration::Zero()) {
    return ctx.Error(n.pos, path,
                     Cat("a delay level must be greater than 0 (got ", Quote(text), ")"));
  }
  ctx.s.cluster.message_delay_level.push_back(*d);
}

void CheckDelayLevels(Ctx& ctx, const Node& n) {
  constexpr std::string_view kPath = "cluster.message_delay_level";
  if (n.is_scalar()) {
    for (absl::string_view word :
         absl::StrSplit(n.text, absl::ByAnyChar(" \t\n"), absl::SkipEmpty())) {
      AddDelayLevel(ctx, n, kPath, std::string_view(word.data(), word.size()));
    }
  } else if (n.is_seq()) {
    for (size_t i = 0; i < n.items.size(); ++i) {
      const Node& item = *n.items[i];
      if (!item.is_scalar()) {
        TypeError(ctx, item, Index(kPath, i), "a duration");
      } else {
        AddDelayLevel(ctx, item, Index(kPath, i), item.text);
      }
    }
  } else {
    return TypeError(ctx, n, kPath, "a list of durations or a string such as \"1s 5s 10s\"");
  }
  if (n.items.empty() && (n.is_seq() || n.text.find_first_not_of(" \t\n") == std::string::npos)) {
    ctx.Error(n.pos, kPath, "list at least one delay level");
  }
}

}  // namespace

void CheckCluster(Ctx& ctx, const Node& n) {
  if (!CheckMap(ctx, n, "cluster", kClusterKeys, {"brokers"})) return;
  ctx.nameservers_complete = true;
  ctx.topics_complete = true;
  // Topics may need auto_create_topic and every broker; read those first.
  if (const Entry* e = n.Find("auto_create_topic")) {
    if (auto b = ReadBool(ctx, *e->value, "cluster.auto_create_topic")) {
      ctx.s.cluster.auto_create_topic = *b;
    }
  }
  if (const Entry* e = n.Find("nameservers")) CheckNameServers(ctx, *e->value);
  if (const Entry* e = n.Find("brokers")) CheckBrokers(ctx, *e->value);
  if (const Entry* e = n.Find("topics")) CheckTopics(ctx, *e->value);
  if (const Entry* e = n.Find("client_step_time")) CheckStepTime(ctx, *e->value);
  if (const Entry* e = n.Find("message_delay_level")) CheckDelayLevels(ctx, *e->value);
}

}  // namespace rmqsim::sim::loader
