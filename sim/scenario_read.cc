// Typed readers of tree nodes shared by every section of the validator.
#include <algorithm>

#include "sim/scenario_check.h"
#include "sim/scenario_values.h"

namespace rmqsim::sim::loader {

void Ctx::Error(Pos pos, std::string_view path, std::string_view message) {
  diags.Error(pos, path.empty() ? std::string(message) : Cat(path, ": ", message));
}

void Ctx::SetNameServers(std::vector<std::string> names) {
  nameservers_ = std::set<std::string, std::less<>>(names.begin(), names.end());
  s.cluster.nameservers = std::move(names);
}

void Ctx::AddBroker(BrokerSpec b) {
  brokers_.emplace(b.name, s.cluster.brokers.size());
  s.cluster.brokers.push_back(std::move(b));
}

void Ctx::AddTopic(TopicSpec t) {
  topics_.insert(t.name);
  s.cluster.topics.push_back(std::move(t));
}

void Ctx::AddProducer(ProducerSpec p) {
  if (!p.group.empty()) producers_.insert(p.group);
  s.producers.push_back(std::move(p));
}

void Ctx::AddConsumer(ConsumerSpec c) {
  if (!c.group.empty()) consumers_.emplace(c.group, s.consumers.size());
  s.consumers.push_back(std::move(c));
}

const BrokerSpec* Ctx::FindBroker(std::string_view name) const {
  auto it = brokers_.find(name);
  return it == brokers_.end() ? nullptr : &s.cluster.brokers[it->second];
}

const ConsumerSpec* Ctx::FindConsumer(std::string_view group) const {
  auto it = consumers_.find(group);
  return it == consumers_.end() ? nullptr : &s.consumers[it->second];
}

bool Ctx::HasNameServer(std::string_view name) const { return nameservers_.count(name) > 0; }
bool Ctx::HasTopic(std::string_view name) const { return topics_.count(name) > 0; }
bool Ctx::HasProducer(std::string_view group) const { return producers_.count(group) > 0; }

namespace {
constexpr size_t kMaxSuggestProblems = 1000;
constexpr size_t kMaxSuggestCandidates = 2000;
}  // namespace

bool Ctx::Suggesting(size_t candidates) const {
  return diags.size() <= kMaxSuggestProblems && candidates <= kMaxSuggestCandidates;
}

std::string Ctx::Suggest(std::string_view word, const std::vector<std::string_view>& names) const {
  return Suggesting(names.size()) ? DidYouMean(word, names) : "";
}

std::vector<std::string_view> Ctx::BrokerNames() const {
  std::vector<std::string_view> names;
  if (!Suggesting(s.cluster.brokers.size())) return names;
  for (const BrokerSpec& b : s.cluster.brokers) names.push_back(b.name);
  return names;
}

std::vector<std::string_view> Ctx::TopicNames() const {
  std::vector<std::string_view> names;
  if (!Suggesting(s.cluster.topics.size())) return names;
  for (const TopicSpec& t : s.cluster.topics) names.push_back(t.name);
  return names;
}

std::string Join(std::string_view path, std::string_view key) {
  // A key is copied into messages as written, but for control characters (C0, DEL, C1), which
  // are escaped: every message stays one printable line (found by fuzzing: a key holding \x04 or
  // \f).
  std::string k;
  for (size_t i = 0; i < key.size();) i += AppendEscapingControl(k, key, i);
  return path.empty() ? k : Cat(path, ".", k);
}

std::string Index(std::string_view path, size_t i) { return Cat(path, "[", i, "]"); }

std::string Describe(const Node& node) {
  switch (node.kind) {
    case Node::Kind::kNull:
      return "null";
    case Node::Kind::kSeq:
      return "a list";
    case Node::Kind::kMap:
      return "a map";
    case Node::Kind::kScalar:
      break;
  }
  return node.quoted ? Cat("the string ", Quote(node.text)) : Quote(node.text);
}

void TypeError(Ctx& ctx, const Node& node, std::string_view path, std::string_view expected) {
  ctx.Error(node.pos, path, Cat("expected ", expected, ", got ", Describe(node)));
}

std::string EnumChoices(const std::vector<std::string_view>& names) {
  if (names.size() == 1) return Quote(names[0]);
  std::vector<std::string> quoted;
  for (std::string_view n : names) quoted.push_back(Quote(n));
  std::string last = quoted.back();
  quoted.pop_back();
  return Cat("one of ", JoinStrings(quoted, ", "), " or ", last);
}

bool CheckMap(Ctx& ctx, const Node& map, std::string_view path,
              const std::vector<std::string_view>& allowed,
              const std::vector<std::string_view>& required) {
  if (!map.is_map()) {
    TypeError(ctx, map, path, "a map");
    return false;
  }
  for (const Entry& e : map.entries) {
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end()) {
      ctx.Error(e.key_pos, "", Cat("unknown key ", Quote(e.key), ctx.Suggest(e.key, allowed)));
    }
  }
  for (std::string_view key : required) {
    if (!map.Find(key)) {
      ctx.Error(map.pos, path, Cat("missing required key ", Quote(key)));
    }
  }
  return true;
}

std::optional<std::string> ReadString(Ctx& ctx, const Node& n, std::string_view path) {
  if (!n.is_scalar()) {
    TypeError(ctx, n, path, "a string");
    return std::nullopt;
  }
  return n.text;
}

std::optional<std::string> ReadName(Ctx& ctx, const Node& n, std::string_view path) {
  std::optional<std::string> name = ReadString(ctx, n, path);
  if (name && !IsValidName(*name)) {
    ctx.Error(
        n.pos, path,
        Cat("invalid name ", Quote(*name), ": use 1 to 127 letters, digits, '_', '.', '%' or '-'"));
    return std::nullopt;
  }
  return name;
}

std::optional<int64_t> ReadInt(Ctx& ctx, const Node& n, std::string_view path, int64_t min,
                               int64_t max) {
  int64_t v = 0;
  IntParse r = n.is_scalar() && !n.quoted ? ParseInt64(n.text, &v) : IntParse::kNotInteger;
  if (r == IntParse::kNotInteger) {
    TypeError(ctx, n, path, "an integer");
    return std::nullopt;
  }
  if (r == IntParse::kOutOfRange || v < min || v > max) {
    std::string range =
        max == INT64_MAX ? Cat("at least ", min) : Cat("between ", min, " and ", max);
    ctx.Error(n.pos, path, Cat("must be ", range, " (got ", n.text, ")"));
    return std::nullopt;
  }
  return v;
}

std::optional<uint64_t> ReadUint64(Ctx& ctx, const Node& n, std::string_view path) {
  uint64_t v = 0;
  IntParse r = n.is_scalar() && !n.quoted ? ParseUint64(n.text, &v) : IntParse::kNotInteger;
  if (r == IntParse::kOk) return v;
  std::string_view expected = "an unsigned 64-bit integer";
  if (r == IntParse::kOutOfRange) {
    ctx.Error(n.pos, path, Cat("must be at most 18446744073709551615 (got ", n.text, ")"));
  } else {
    TypeError(ctx, n, path, expected);
  }
  return std::nullopt;
}

std::optional<bool> ReadBool(Ctx& ctx, const Node& n, std::string_view path) {
  if (n.is_scalar() && !n.quoted) {
    if (n.text == "true" || n.text == "True" || n.text == "TRUE") return true;
    if (n.text == "false" || n.text == "False" || n.text == "FALSE") return false;
  }
  TypeError(ctx, n, path, "true or false");
  return std::nullopt;
}

std::optional<SimDuration> ReadDuration(Ctx& ctx, const Node& n, std::string_view path,
                                        bool positive) {
  if (!n.is_scalar()) {
    TypeError(ctx, n, path, "a duration");
    return std::nullopt;
  }
  absl::StatusOr<SimDuration> d = ParseDurationText(n.text);
  if (!d.ok()) {
    ctx.Error(n.pos, path, Message(d.status()));
    return std::nullopt;
  }
  if (positive && *d == SimDuration::Zero()) {
    ctx.Error(n.pos, path, Cat("must be greater than 0 (got ", Quote(n.text), ")"));
    return std::nullopt;
  }
  return *d;
}

std::optional<Rate> ReadRate(Ctx& ctx, const Node& n, std::string_view path) {
  if (!n.is_scalar()) {
    TypeError(ctx, n, path, "a rate such as 10/s");
    return std::nullopt;
  }
  absl::StatusOr<Rate> r = ParseRateText(n.text);
  if (!r.ok()) {
    ctx.Error(n.pos, path, Message(r.status()));
    return std::nullopt;
  }
  return *r;
}

std::optional<Ratio> ReadRatio(Ctx& ctx, const Node& n, std::string_view path) {
  if (!n.is_scalar() || n.quoted) {
    TypeError(ctx, n, path, "a ratio between 0 and 1");
    return std::nullopt;
  }
  absl::StatusOr<Ratio> r = ParseRatioText(n.text);
  if (!r.ok()) {
    ctx.Error(n.pos, path, Message(r.status()));
    return std::nullopt;
  }
  return *r;
}

std::optional<int32_t> ReadResponseCode(Ctx& ctx, const Node& n, std::string_view path, int64_t min,
                                        int64_t max) {
  int64_t v = 0;
  if (n.is_scalar() && !n.quoted && ParseInt64(n.text, &v) != IntParse::kNotInteger) {
    std::optional<int64_t> code = ReadInt(ctx, n, path, min, max);
    if (!code) return std::nullopt;
    return static_cast<int32_t>(*code);
  }
  std::vector<std::string_view> names;
  for (const ResponseCodeName& c : ResponseCodeNames()) names.push_back(c.name);
  if (n.is_scalar()) {
    if (std::optional<int32_t> code = ResponseCodeByName(n.text)) return code;
    ctx.Error(n.pos, path,
              Cat("unknown response code ", Quote(n.text), ctx.Suggest(n.text, names),
                  "; expected a number or one of ", JoinStrings(names, ", ")));
    return std::nullopt;
  }
  TypeError(ctx, n, path, "a response code (a number or a name such as SYSTEM_BUSY)");
  return std::nullopt;
}

const Node* ReadSeq(Ctx& ctx, const Node& n, std::string_view path) {
  if (n.is_seq()) return &n;
  TypeError(ctx, n, path, "a list");
  return nullptr;
}

bool AllNamed(const Node& seq, std::string_view key) {
  if (!seq.is_seq()) return false;
  return std::all_of(seq.items.begin(), seq.items.end(), [&](const NodePtr& item) {
    const Entry* e = item->is_map() ? item->Find(key) : nullptr;
    return e && e->value->is_scalar() && IsValidName(e->value->text);
  });
}

void CheckTopicDeclared(Ctx& ctx, const Node& n, std::string_view path, std::string_view topic) {
  if (ctx.s.cluster.auto_create_topic || ctx.HasTopic(topic) || !ctx.topics_complete) return;
  ctx.Error(n.pos, path,
            Cat("unknown topic ", Quote(topic), ctx.Suggest(topic, ctx.TopicNames()),
                "; declare it under cluster.topics or set cluster.auto_create_topic"));
}

}  // namespace rmqsim::sim::loader
