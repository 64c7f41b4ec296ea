// Internals of the scenario loader: the validator that walks the generic tree (scenario_tree.h)
// and fills a Scenario. Every check records its problem and goes on, so one pass reports all of
// them. Sections run in dependency order (compare, cluster, producers, consumers, faults, expect)
// because later ones refer to names the earlier ones declare.
//
// Message conventions: "PATH: what is wrong", where PATH names the value in the document
// ("cluster.brokers[1].queues"); unknown keys are reported as "unknown key 'x' (did you mean
// 'y'?)" at the key.
#ifndef RMQSIM_SIM_SCENARIO_CHECK_H_
#define RMQSIM_SIM_SCENARIO_CHECK_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/scenario.h"
#include "sim/scenario_loader.h"
#include "sim/scenario_tree.h"

namespace rmqsim::sim::loader {

struct Ctx {
  Ctx(const LoadLimits& l, Diagnostics& d, Scenario& sc) : limits(l), diags(d), s(sc) {}

  void Error(Pos pos, std::string_view path, std::string_view message);

  // Declared names, indexed so that large files stay linear.
  void SetNameServers(std::vector<std::string> names);
  void AddBroker(BrokerSpec b);
  void AddTopic(TopicSpec t);
  void AddProducer(ProducerSpec p);
  void AddConsumer(ConsumerSpec c);
  const BrokerSpec* FindBroker(std::string_view name) const;
  const ConsumerSpec* FindConsumer(std::string_view group) const;
  bool HasNameServer(std::string_view name) const;
  bool HasTopic(std::string_view name) const;
  bool HasProducer(std::string_view group) const;
  // Suggestion candidates; empty when Suggesting() says no.
  std::vector<std::string_view> BrokerNames() const;
  std::vector<std::string_view> TopicNames() const;

  // " (did you mean 'x'?)" or "". Suggestions stop once a file has many problems, which bounds
  // the edit-distance work a hostile file can cause.
  std::string Suggest(std::string_view word, const std::vector<std::string_view>& names) const;
  bool Suggesting(size_t candidates) const;

  const LoadLimits& limits;
  Diagnostics& diags;
  Scenario& s;
  std::optional<SimDuration> duration;  // set when `duration` is valid
  bool has_consumers = false;           // the `consumers` key is present
  // Whether every entry of a section has a valid name. When one does not, a reference to a name
  // the section lacks may mean that entry, so "unknown X" is not reported (no cascades).
  bool nameservers_complete = false;
  bool brokers_complete = false;
  bool topics_complete = false;
  bool producers_complete = false;
  bool consumers_complete = true;

 private:
  std::set<std::string, std::less<>> nameservers_, topics_, producers_;
  std::map<std::string, size_t, std::less<>> brokers_, consumers_;  // index in s
};

std::string Join(std::string_view path, std::string_view key);
std::string Index(std::string_view path, size_t i);
std::string Describe(const Node& node);  // "a list", "'abc'", "the string '5'", "null"
void TypeError(Ctx& ctx, const Node& node, std::string_view path, std::string_view expected);

// Reports keys of `map` outside `allowed` and `required` keys it lacks; false (after a type
// error) if it is not a map.
bool CheckMap(Ctx& ctx, const Node& map, std::string_view path,
              const std::vector<std::string_view>& allowed,
              const std::vector<std::string_view>& required = {});

// Readers: the value, or nullopt after reporting what is wrong with it.
std::optional<std::string> ReadString(Ctx& ctx, const Node& n, std::string_view path);
std::optional<std::string> ReadName(Ctx& ctx, const Node& n, std::string_view path);
std::optional<int64_t> ReadInt(Ctx& ctx, const Node& n, std::string_view path, int64_t min,
                               int64_t max);
std::optional<uint64_t> ReadUint64(Ctx& ctx, const Node& n, std::string_view path);
std::optional<bool> ReadBool(Ctx& ctx, const Node& n, std::string_view path);
std::optional<SimDuration> ReadDuration(Ctx& ctx, const Node& n, std::string_view path,
                                        bool positive = false);
std::optional<Rate> ReadRate(Ctx& ctx, const Node& n, std::string_view path);
std::optional<Ratio> ReadRatio(Ctx& ctx, const Node& n, std::string_view path);
// A response code: a name (SYSTEM_BUSY) or a number in [min, max].
std::optional<int32_t> ReadResponseCode(Ctx& ctx, const Node& n, std::string_view path, int64_t min,
                                        int64_t max);
// The list node, or nullptr after a type error.
const Node* ReadSeq(Ctx& ctx, const Node& n, std::string_view path);

template <typename E>
using EnumOptions = std::vector<std::pair<std::string_view, E>>;

template <typename E>
std::optional<E> ReadEnum(Ctx& ctx, const Node& n, std::string_view path,
                          const EnumOptions<E>& options);

// True if `seq` is a list whose every item is a map with a valid name under `key`.
bool AllNamed(const Node& seq, std::string_view key);

// A topic a workload or consumer names must be declared unless brokers auto-create topics.
void CheckTopicDeclared(Ctx& ctx, const Node& n, std::string_view path, std::string_view topic);

// Sections.
void CheckScenario(Ctx& ctx, const Node& root);
void CheckCluster(Ctx& ctx, const Node& cluster);
void CheckProducers(Ctx& ctx, const Node& producers);
void CheckProducerConfig(Ctx& ctx, const Node& config, std::string_view path, ProducerSpec& p);
void CheckConsumers(Ctx& ctx, const Node& consumers);
void CheckFaults(Ctx& ctx, const Node& faults);
void CheckExpect(Ctx& ctx, const Node& expect);

// ---- template implementation
// ---------------------------------------------------------------------

std::string EnumChoices(const std::vector<std::string_view>& names);

template <typename E>
std::optional<E> ReadEnum(Ctx& ctx, const Node& n, std::string_view path,
                          const EnumOptions<E>& options) {
  std::optional<std::string> text = ReadString(ctx, n, path);
  if (!text) return std::nullopt;
  std::vector<std::string_view> names;
  for (const auto& [name, value] : options) {
    if (name == *text) return value;
    names.push_back(name);
  }
  ctx.Error(n.pos, path,
            "expected " + EnumChoices(names) + ", got " + Describe(n) + ctx.Suggest(*text, names));
  return std::nullopt;
}

}  // namespace rmqsim::sim::loader

#endif  // RMQSIM_SIM_SCENARIO_CHECK_H_
