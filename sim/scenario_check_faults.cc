// The `faults` timeline: targets resolved against the cluster and consumers, actions checked
// against what the target can do, action-specific keys, and times within `duration`.
#include <algorithm>
#include <utility>

#include "sim/response_code.h"
#include "sim/scenario_check.h"
#include "sim/scenario_values.h"

namespace rmqsim::sim::loader {
namespace {

using Kind = FaultTarget::Kind;

const std::vector<std::string_view> kFaultKeys = {"at",   "action", "target", "for",
                                                  "from", "delay",  "code",   "ratio"};

const EnumOptions<FaultAction> kActions = {{"kill", FaultAction::kKill},
                                           {"start", FaultAction::kStart},
                                           {"crash", FaultAction::kCrash},
                                           {"partition", FaultAction::kPartition},
                                           {"slow", FaultAction::kSlow},
                                           {"error", FaultAction::kError},
                                           {"drop_responses", FaultAction::kDropResponses},
                                           {"heal", FaultAction::kHeal}};

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kBroker:
      return "broker";
    case Kind::kNameServer:
      return "name server";
    case Kind::kConsumer:
      return "consumer";
  }
  return "?";
}

// What each action may target, as a phrase for messages.
std::pair<std::vector<Kind>, const char*> Targets(FaultAction a) {
  switch (a) {
    case FaultAction::kKill:
    case FaultAction::kStart:
    case FaultAction::kCrash:
      return {{Kind::kBroker, Kind::kNameServer, Kind::kConsumer},
              "brokers, name servers and consumers"};
    case FaultAction::kHeal:
      return {{Kind::kBroker, Kind::kNameServer}, "brokers and name servers"};
    default:
      return {{Kind::kBroker}, "brokers only"};
  }
}

std::optional<FaultTarget> ResolveConsumer(Ctx& ctx, const Node& n, std::string_view path,
                                           std::string_view spec) {
  size_t hash = spec.find('#');
  int64_t instance = -1;
  if (hash == std::string_view::npos ||
      ParseInt64(spec.substr(hash + 1), &instance) != IntParse::kOk || instance < 0) {
    ctx.Error(n.pos, path,
              Cat("invalid consumer target ", Quote(n.text),
                  "; expected consumer:GROUP#INSTANCE, e.g. consumer:cg#0"));
    return std::nullopt;
  }
  std::string group(spec.substr(0, hash));
  const ConsumerSpec* it = ctx.FindConsumer(group);
  if (!it) {
    if (!ctx.consumers_complete) return std::nullopt;
    ctx.Error(n.pos, path, Cat("unknown consumer group ", Quote(group)));
    return std::nullopt;
  }
  if (instance >= it->instances) {
    ctx.Error(n.pos, path,
              Cat("consumer group ", Quote(group), " has ", it->instances,
                  " instance(s), numbered from 0; got #", instance));
    return std::nullopt;
  }
  return FaultTarget{Kind::kConsumer, group, static_cast<int32_t>(instance), n.text};
}

std::optional<FaultTarget> ResolveTarget(Ctx& ctx, const Node& n, std::string_view path) {
  std::optional<std::string> text = ReadString(ctx, n, path);
  if (!text) return std::nullopt;
  constexpr std::string_view kConsumerPrefix = "consumer:";
  if (text->rfind(kConsumerPrefix, 0) == 0) {
    return ResolveConsumer(ctx, n, path, std::string_view(*text).substr(kConsumerPrefix.size()));
  }
  if (ctx.FindBroker(*text)) return FaultTarget{Kind::kBroker, *text, 0, *text};
  if (ctx.HasNameServer(*text)) return FaultTarget{Kind::kNameServer, *text, 0, *text};
  if (!ctx.brokers_complete || !ctx.nameservers_complete) return std::nullopt;
  std::vector<std::string_view> names = ctx.BrokerNames();
  for (const std::string& ns : ctx.s.cluster.nameservers) names.push_back(ns);
  ctx.Error(n.pos, path,
            Cat("unknown target ", Quote(*text), ctx.Suggest(*text, names),
                "; expected a broker, a name server or consumer:GROUP#INSTANCE"));
  return std::nullopt;
}

void CheckTargetKind(Ctx& ctx, const Node& target, std::string_view path, FaultAction action,
                     const FaultTarget& t) {
  auto [kinds, phrase] = Targets(action);
  if (std::find(kinds.begin(), kinds.end(), t.kind) != kinds.end()) return;
  ctx.Error(target.pos, path,
            Cat("action '", FaultActionName(action), "' cannot target ", KindName(t.kind), " ",
                Quote(t.text), " (it applies to ", phrase, ")"));
}

// Keys that belong to one action only; reports them on any other action.
bool KeyAllowed(Ctx& ctx, const Node& n, std::string_view path, std::string_view key, bool allowed,
                std::string_view actions) {
  const Entry* e = n.Find(key);
  if (!e || allowed) return e != nullptr;
  ctx.Error(e->key_pos, path, Cat("'", key, "' applies only to ", actions));
  return false;
}

void CheckActionKeys(Ctx& ctx, const Node& n, const std::string& path, FaultSpec& f) {
  FaultAction a = f.action;
  if (KeyAllowed(ctx, n, path, "from", a == FaultAction::kPartition, "action 'partition'")) {
    const Node& from = *n.Find("from")->value;
    std::optional<std::string> group = ReadName(ctx, from, Join(path, "from"));
    if (group && !ctx.HasProducer(*group) && ctx.producers_complete) {
      ctx.Error(from.pos, Join(path, "from"), Cat("unknown producer group ", Quote(*group)));
    } else if (group && ctx.HasProducer(*group)) {
      f.from_group = *group;
    }
  }
  if (KeyAllowed(ctx, n, path, "delay", a == FaultAction::kSlow, "action 'slow'")) {
    auto d = ReadDuration(ctx, *n.Find("delay")->value, Join(path, "delay"), /*positive=*/true);
    if (d) f.delay = *d;
  } else if (a == FaultAction::kSlow) {
    ctx.Error(n.pos, path, "action 'slow' needs 'delay'");
  }
  if (KeyAllowed(ctx, n, path, "code", a == FaultAction::kError, "action 'error'")) {
    const Node& code_node = *n.Find("code")->value;
    if (code_node.is_scalar() && code_node.text == "OS_PAGECACHE_BUSY") {
      // A store result, not a response code: the broker answers it with its release's code
      // (SYSTEM_ERROR in 4.9.x, SYSTEM_BUSY in 5.3.3).
      f.code = code::kStoreOsPageCacheBusy;
      f.code_name = "OS_PAGECACHE_BUSY";
    } else {
      auto code = ReadResponseCode(ctx, code_node, Join(path, "code"), 0, 100000);
      if (code) f.code = *code;
      if (code) f.code_name = ResponseCodeText(*code);
    }
  } else if (a == FaultAction::kError) {
    ctx.Error(n.pos, path, "action 'error' needs 'code'");
  }
  bool ratio_ok = a == FaultAction::kError || a == FaultAction::kDropResponses;
  if (KeyAllowed(ctx, n, path, "ratio", ratio_ok, "actions 'error' and 'drop_responses'")) {
    if (auto r = ReadRatio(ctx, *n.Find("ratio")->value, Join(path, "ratio"))) f.ratio = *r;
  }
  bool for_ok = a != FaultAction::kStart && a != FaultAction::kHeal;
  KeyAllowed(ctx, n, path, "for", for_ok, "actions that start a fault (not 'start' or 'heal')");
}

void CheckHorizon(Ctx& ctx, const Node& n, const std::string& path, const FaultSpec& f) {
  if (!ctx.duration) return;
  SimDuration horizon = *ctx.duration;
  if (f.at > horizon) {
    ctx.Error(n.Find("at")->value->pos, Join(path, "at"),
              Cat(f.at.ToString(), " is beyond the scenario duration (", horizon.ToString(), ")"));
    return;
  }
  int64_t end;
  if (!f.for_duration) return;
  bool overflow = __builtin_add_overflow(f.at.ns(), f.for_duration->ns(), &end);
  if (overflow || end > horizon.ns()) {
    ctx.Error(n.Find("for")->value->pos, Join(path, "for"),
              Cat("the fault would end at ",
                  overflow ? std::string("a time past the end of the 64-bit nanosecond clock")
                           : SimDuration::Nanos(end).ToString(),
                  ", beyond the scenario duration (", horizon.ToString(), ")"));
  }
}

void CheckFault(Ctx& ctx, const Node& n, const std::string& path) {
  if (!CheckMap(ctx, n, path, kFaultKeys, {"at", "action", "target"})) return;
  FaultSpec f;
  f.loc = SourceLoc{n.pos.line, n.pos.column};
  std::optional<SimDuration> at, for_duration;
  std::optional<FaultAction> action;
  std::optional<FaultTarget> target;
  if (const Entry* e = n.Find("at")) at = ReadDuration(ctx, *e->value, Join(path, "at"));
  if (const Entry* e = n.Find("action")) {
    action = ReadEnum(ctx, *e->value, Join(path, "action"), kActions);
  }
  if (const Entry* e = n.Find("target")) {
    target = ResolveTarget(ctx, *e->value, Join(path, "target"));
  }
  if (const Entry* e = n.Find("for")) {
    for_duration = ReadDuration(ctx, *e->value, Join(path, "for"), /*positive=*/true);
  }
  if (action && target) {
    CheckTargetKind(ctx, *n.Find("target")->value, Join(path, "target"), *action, *target);
  }
  if (action) {
    f.action = *action;
    CheckActionKeys(ctx, n, path, f);
  }
  f.at = at.value_or(SimDuration::Zero());
  f.for_duration = for_duration;
  if (target) f.target = *target;
  if (at) CheckHorizon(ctx, n, path, f);
  ctx.s.faults.push_back(std::move(f));
}

}  // namespace

void CheckFaults(Ctx& ctx, const Node& n) {
  if (!ReadSeq(ctx, n, "faults")) return;
  for (size_t i = 0; i < n.items.size(); ++i) CheckFault(ctx, *n.items[i], Index("faults", i));
}

}  // namespace rmqsim::sim::loader
