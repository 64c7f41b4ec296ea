// The `expect` section: per-profile assertions `metric: value` or `metric: "OP value"`.
#include <algorithm>

#include "sim/outcome.h"
#include "sim/profile.h"
#include "sim/scenario_check.h"
#include "sim/scenario_values.h"

namespace rmqsim::sim::loader {
namespace {

constexpr std::string_view kAll = "all";

const std::vector<std::string_view> kConsumerMetrics = {"consumed",
                                                        "dead_lettered",
                                                        "dropped",
                                                        "pending",
                                                        "deliveries",
                                                        "redeliveries",
                                                        "consumer_duplicates",
                                                        "delivery_latency_p99_ms"};

const EnumOptions<CompareOp> kOps = {{"==", CompareOp::kEq}, {"!=", CompareOp::kNe},
                                     {"<=", CompareOp::kLe}, {">=", CompareOp::kGe},
                                     {"<", CompareOp::kLt},  {">", CompareOp::kGt}};

bool CheckProfileKey(Ctx& ctx, const Entry& e) {
  const auto& compare = ctx.s.compare;
  if (e.key == kAll || std::find(compare.begin(), compare.end(), e.key) != compare.end()) {
    return true;
  }
  if (FindProfile(e.key)) {
    ctx.Error(e.key_pos, "expect", Cat("profile ", Quote(e.key), " is not in compare"));
    return false;
  }
  std::vector<std::string_view> names = {kAll};
  for (const std::string& p : compare) names.push_back(p);
  ctx.Error(e.key_pos, "expect",
            Cat("unknown profile ", Quote(e.key), ctx.Suggest(e.key, names),
                "; expected 'all' or a profile in compare"));
  return false;
}

bool CheckMetric(Ctx& ctx, const Entry& e, std::string_view path) {
  const std::string& m = e.key;
  if (!IsKnownMetric(m)) {
    std::vector<std::string_view> names = MetricNames();
    ctx.Error(e.key_pos, path, Cat("unknown metric ", Quote(m), ctx.Suggest(m, names)));
    return false;
  }
  if (m.rfind("stored.", 0) == 0 && !ctx.FindBroker(m.substr(7)) && ctx.brokers_complete) {
    std::string broker = m.substr(7);
    ctx.Error(e.key_pos, path,
              Cat("metric ", Quote(m), " names an unknown broker ", Quote(broker),
                  ctx.Suggest(broker, ctx.BrokerNames())));
    return false;
  }
  bool consumer_metric =
      std::find(kConsumerMetrics.begin(), kConsumerMetrics.end(), m) != kConsumerMetrics.end();
  if (consumer_metric && !ctx.has_consumers) {
    ctx.Error(e.key_pos, path, Cat("metric ", Quote(m), " needs a 'consumers' section"));
    return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "OP value" or "value"; fills op, value and the text of the number.
bool ParseAssertion(std::string_view text, Expectation& x, std::string& number) {
  std::string_view rest = Trim(text);
  x.op = CompareOp::kEq;
  for (const auto& [op_text, op] : kOps) {
    if (rest.substr(0, op_text.size()) == op_text) {
      x.op = op;
      rest.remove_prefix(op_text.size());
      break;
    }
  }
  number = std::string(Trim(rest));
  std::optional<double> v = ParseNumberText(number);
  if (!v) return false;
  x.value = *v;
  return true;
}

void CheckAssertion(Ctx& ctx, const Entry& e, std::string_view profile, std::string_view path,
                    bool keep) {
  const Node& n = *e.value;
  std::string metric_path = Join(path, e.key);
  keep = CheckMetric(ctx, e, path) && keep;
  Expectation x;
  std::string number;
  if (!n.is_scalar()) {
    return TypeError(ctx, n, metric_path, "a number or a comparison such as \">= 1\"");
  }
  if (!ParseAssertion(n.text, x, number)) {
    return ctx.Error(n.pos, metric_path,
                     Cat("invalid assertion ", Quote(n.text),
                         "; expected a number or \"OP number\" with OP one of == != < "
                         "<= > >="));
  }
  x.profile = std::string(profile);
  x.metric = e.key;
  x.text = Cat(e.key, " ", CompareOpText(x.op), " ", number);
  x.loc = SourceLoc{e.key_pos.line, e.key_pos.column};
  if (keep) ctx.s.expect.push_back(std::move(x));
}

}  // namespace

void CheckExpect(Ctx& ctx, const Node& n) {
  if (!n.is_map()) return TypeError(ctx, n, "expect", "a map of profile: assertions");
  for (const Entry& profile : n.entries) {
    bool ok = CheckProfileKey(ctx, profile);
    std::string path = Join("expect", profile.key);
    const Node& block = *profile.value;
    if (!block.is_map()) {
      TypeError(ctx, block, path, "a map of metric: value");
      continue;
    }
    for (const Entry& e : block.entries) {
      CheckAssertion(ctx, e, profile.key, path, ok);
    }
  }
}

}  // namespace rmqsim::sim::loader
