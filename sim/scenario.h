// Scenario: the typed, validated form of a scenario file (../shared/docs/scenario-format.md).
//
// The loader (scenario_loader.h) turns YAML or JSON into this; the model builds a run from it.
// Every element keeps the 1-based line and column it came from, so later checks (and `expect`
// failures) can point into the file. Defaults that the format defines are already applied;
// producer settings are kept as overrides because their defaults depend on the profile.
#ifndef RMQSIM_SIM_SCENARIO_H_
#define RMQSIM_SIM_SCENARIO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sim_time.h"
#include "sim/profile.h"

namespace rmqsim::sim {

using core::SimDuration;
using core::SimTime;

struct SourceLoc {
  int line = 0;    // 1-based; 0 when unknown (built in code)
  int column = 0;  // 1-based
};

// An exact non-negative ratio num/den (fault `ratio: 0.25` is 25/100). Never a double.
struct Ratio {
  uint64_t num = 1;
  uint64_t den = 1;
};

// Client-side processing time per step: fixed when low == high, else drawn uniformly per step.
struct StepTime {
  SimDuration low;
  SimDuration high;
};

// A send rate `N/s`, `N/m` or `N/h` with N possibly fractional, kept exact: message i of a
// workload is planned at start + floor(i * unit_ns_scaled / count_scaled).
struct Rate {
  __extension__ typedef unsigned __int128 Uint128;

  uint64_t count_scaled = 1;     // N * 10^k
  uint64_t unit_ns_scaled = 0;   // unit in ns * 10^k
  // Offset of the i-th planned message from the workload start, in ns, unbounded (a slow rate's
  // offset can pass the 64-bit clock: the planner compares it with the horizon first). Computed
  // in 64 bits while i * unit fits: a 128-bit division is a libgcc call, once per message.
  Uint128 OffsetNs(uint64_t i) const {
    uint64_t product;
    if (!__builtin_mul_overflow(i, unit_ns_scaled, &product)) return product / count_scaled;
    return static_cast<Uint128>(i) * unit_ns_scaled / count_scaled;
  }
  // The same as a duration (CHECK-fails past the 64-bit clock).
  SimDuration Offset(uint64_t i) const;
};

struct BrokerSpec {
  std::string name;
  int32_t queues = 4;
  SimDuration network_delay = SimDuration::Millis(1);
  SimDuration service_time = SimDuration::Millis(1);
  SourceLoc loc;
};

struct TopicBroker {
  std::string broker;
  int32_t queues = 4;  // write = read queue count of this topic on that broker
};

struct TopicSpec {
  std::string name;
  std::vector<TopicBroker> brokers;  // in file order (the model sorts as upstream does)
  SourceLoc loc;
};

struct ClusterSpec {
  std::vector<std::string> nameservers = {"ns-1"};
  std::vector<BrokerSpec> brokers;
  std::vector<TopicSpec> topics;
  bool auto_create_topic = false;
  // Unset: the calibrated default (rocketmq-behaviour.md §10.4), chosen by the model.
  std::optional<StepTime> client_step_time;
  // Broker messageDelayLevel (consumers); empty: the upstream default.
  std::vector<SimDuration> message_delay_level;
};

enum class SendMode { kSync, kAsync, kOneway };
const char* SendModeName(SendMode m);  // "sync", "async", "oneway"

struct WorkloadSpec {
  std::string topic;
  SendMode mode = SendMode::kSync;
  SimDuration start;
  Rate rate;
  std::optional<int64_t> count;       // exactly one of count / until
  std::optional<SimDuration> until;   // planned times < until (absolute virtual time)
  int32_t threads = 1;                // sync only
  int32_t body_size = 128;
  SourceLoc loc;
};

struct SettingOverride {
  const SettingInfo* setting = nullptr;
  SettingValue value;
  SourceLoc loc;
};

struct ProducerSpec {
  std::string group;
  int32_t instances = 1;
  SimDuration start_at;  // client start (default 0)
  std::vector<SettingOverride> config;
  std::vector<WorkloadSpec> send;
  SourceLoc loc;
};

enum class ConsumerModel { kClustering, kBroadcasting };
enum class ListenerKind { kConcurrently, kOrderly };

struct ConsumerBehaviour {
  int32_t fail_first = 0;
  // ConsumeConcurrentlyContext.delayLevelWhenNextConsume the listener sets on failure (extension
  // of the format): 0 lets the broker choose (3 + reconsumeTimes), L > 0 asks for level L, -1
  // sends the message to %DLQ%<group> at once.
  int32_t delay_level_when_next_consume = 0;
  std::optional<Ratio> fail_ratio;
  std::optional<Ratio> throw_ratio;
  std::optional<Ratio> return_null_ratio;
  bool always_fail = false;
  std::optional<SimDuration> hang;
  SimDuration process_time = SimDuration::Zero();
};

// A consumer `config:` key other than the three ConsumerSpec keeps as fields.
struct ConsumerSettingOverride {
  const ConsumerSettingInfo* setting = nullptr;
  ConsumerSettingValue value;
  SourceLoc loc;
};

struct ConsumerSpec {
  std::string group;
  std::string topic;
  int32_t instances = 1;
  ConsumerModel model = ConsumerModel::kClustering;
  ListenerKind listener = ListenerKind::kConcurrently;
  SimDuration start_at;
  int32_t max_reconsume_times = 16;
  SimDuration consume_timeout = SimDuration::Seconds(15 * 60);
  int32_t consume_thread_min = 20;
  std::vector<ConsumerSettingOverride> config;  // the other settings (sim/consumer_settings.h)
  ConsumerBehaviour behaviour;
  SourceLoc loc;
};

enum class FaultAction { kKill, kStart, kCrash, kPartition, kSlow, kError, kDropResponses, kHeal };
const char* FaultActionName(FaultAction a);

struct FaultTarget {
  enum class Kind { kBroker, kNameServer, kConsumer };
  Kind kind = Kind::kBroker;
  std::string name;      // broker or name server name, or consumer group
  int32_t instance = 0;  // consumers only
  std::string text;      // as written in the file, for reports
};

struct FaultSpec {
  SimDuration at;
  FaultAction action = FaultAction::kKill;
  FaultTarget target;
  std::optional<SimDuration> for_duration;  // auto-heal after this long
  std::optional<std::string> from_group;    // partition: only these producers
  SimDuration delay;                        // slow
  int32_t code = 0;                         // error: numeric response code
  std::string code_name;                    // error: "SYSTEM_BUSY"
  Ratio ratio;                              // error, drop_responses
  SourceLoc loc;
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };
const char* CompareOpText(CompareOp op);  // "==", "!=", ...

struct Expectation {
  std::string profile;  // a profile name, or "all"
  std::string metric;   // "failed", "stored.broker-a", "errors.MQClientException"
  CompareOp op = CompareOp::kEq;
  double value = 0;     // metric values are counts or milliseconds
  std::string text;     // the assertion as written: "failed >= 1"
  SourceLoc loc;
};

struct Scenario {
  std::string path;  // file it came from ("<built-in>" for the default)
  std::string id;
  std::string title;
  std::string description;
  std::vector<std::string> references;
  uint64_t seed = 1;
  SimDuration duration;
  std::vector<std::string> compare = {"4.9.0", "4.9.3"};
  ClusterSpec cluster;
  std::vector<ProducerSpec> producers;
  std::vector<ConsumerSpec> consumers;
  std::vector<FaultSpec> faults;
  std::vector<Expectation> expect;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_SCENARIO_H_
