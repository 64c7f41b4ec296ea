// Push-consumer side of a client profile (rocketmq-consumer-behaviour.md §1, §8).
//
// ConsumerDecisions is the consumer column of the decision table: every point where the modelled
// releases differ on the consumer or on the broker's consumer-facing code (send-back, schedule
// service, %RETRY% / %DLQ% handling) is one named field, asked at exactly the place upstream
// differs. ConsumerSettings holds the DefaultMQPushConsumer / ClientConfig settings the model uses
// with the profile's defaults; a scenario consumer's `config:` overrides them (snake_case of the
// upstream field names), never the decisions. Both are members of sim::Profile.
//
//   if (profile.consumer.send_back_dlq_clears_delay) ...   // grep the field to find the quirk
#ifndef RMQSIM_SIM_CONSUMER_SETTINGS_H_
#define RMQSIM_SIM_CONSUMER_SETTINGS_H_

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "core/sim_time.h"

namespace rmqsim::sim {

// DefaultMQPushConsumerImpl.sendMessageBack when findBrokerAddressInPublish(brokerName) is null
// (§2.4 step 1).
enum class SendBackWithoutMaster {
  // 4.9.x: the null address goes to invokeSync, which uses the name-server channel; the name
  // server answers nothing to CONSUMER_SEND_MSG_BACK, so the call costs its 5000 ms timeout.
  kNameServerChannel,
  // 5.3.3: MQClientException at once ("The broker ... not exist"), so the fallback runs at once.
  kThrowImmediately,
};

// Where the consume-timeout cleaner's sendMessageBack(msg, 3) sends (§2.4 step 1, §2.5).
enum class CleanerSendBackTarget {
  kStoreHost,           // 4.9.x: brokerName null -> the message's store host address
  kPulledBrokerMaster,  // 5.3.3: the broker name stamped at pull time -> its master (may be null)
};

// SendMessageProcessor.handleRetryAndDLQ for a normal send to %RETRY%<group> (fallback and
// orderly copies, §4.3).
enum class RetrySendDlqRule {
  // 4.9.x: reconsumeTimes >= max -> %DLQ%, but the properties are rebuilt from the request after
  // the decision, so the client's DELAY survives and the dead message detours through
  // SCHEDULE_TOPIC_XXXX.
  kAtLeastMaxKeepDelay,
  // 5.3.3: reconsumeTimes > max, or the group holds unexpired queue locks -> %DLQ% with DELAY -1,
  // i.e. stored at once.
  kAboveMaxOrLockedImmediate,
};

// ScheduleMessageService: what a level's task does when its head entry is not yet due (§5.3).
enum class ScheduleNotDue {
  kExactTimer,  // 4.9.0: one java.util.Timer; the task is re-armed for exactly the countdown
  kPoll100ms,   // 4.9.3+, 5.3.3: the task runs again 100 ms later (delivery at a poll >= due)
};

// ScheduleMessageService's recorded progress of a level after a successful re-put (§5.3). It is
// persisted every 10 s; a restarted broker resumes from it (re-puts after it are replayed).
enum class ScheduleProgress {
  kPerEntry,          // 4.9.0 (updated at the end of each run), 4.9.8, 5.3.3 (per entry)
  kRunStartPlusOne,   // 4.9.3: the run's start offset + 1, whatever the run re-put (8cd998829a)
};

struct ConsumerDecisions {
  // ProcessQueue.cleanExpiredMsg parses CONSUME_START_TIME of the lowest cached message without a
  // null check; a message still waiting for a thread throws NumberFormatException out of the
  // timer task, which cancels the cleaner for good (4.9.0; fixed by e425c097ad and cc478bd425,
  // first in 4.9.3) [PQ, CMCS @4.9.0].
  bool cleaner_dies_on_missing_start_time;
  // processConsumeResult skips the send-back of a message the cleaner already removed from the
  // cache (msgTreeMap no longer contains it) [CMCS@5.3.3].
  bool skip_send_back_of_uncached;
  SendBackWithoutMaster send_back_without_master;
  CleanerSendBackTarget cleaner_target;
  // The broker's send-back DLQ branch sets DELAY 0 (8434658798, #2724/#3318, first in 4.9.2). 4.9.0
  // keeps the stored copy's leftover DELAY, so the dead message waits one more level in
  // SCHEDULE_TOPIC_XXXX (catalog E22) [SMP.asyncConsumerSendMsgBack@4.9.0, 4.9.3].
  bool send_back_dlq_clears_delay;
  RetrySendDlqRule retry_send_dlq_rule;
  // handleRetryAndDLQ unboxes a null maxReconsumeTimes (a fallback producer attempt 2+ carries no
  // counters): the broker answers SYSTEM_ERROR (4.9.0); 4.9.3+ use the group's retryMaxTimes
  // (86c1216957, #1843) [SMP@4.9.0, 4.9.3].
  bool retry_send_null_max_rejected;
  // %DLQ%<group> is created readable (0a16ff6a5f, first in 4.9.2); 4.9.0 creates it WRITE only.
  bool dlq_readable;
  // The orderly service's %RETRY% copy: RECONSUME_TIME = r + 1 (5.x, 7cfffe7f48) instead of r.
  bool orderly_copy_reconsume_time_plus_one;
  // The orderly copy keeps ORIGIN_MESSAGE_ID: properties copied before it is set (45010d9bdf,
  // #4050, first in 4.9.4) [CMOS@4.9.8, 5.3.3].
  bool orderly_copy_keeps_origin_msg_id;
  ScheduleNotDue schedule_not_due;
  ScheduleProgress schedule_progress;
  // RebalanceService keeps >= 1 s between runs and reruns after 1 s while a run reported an
  // unbalanced result (5.3.3); 4.9.x waits 20 s after every run [RS@5.3.3].
  bool rebalance_min_interval;
};

// DefaultMQPushConsumer / ClientConfig settings the model uses, with their defaults (the same in
// every modelled tag, §1). A scenario consumer's `config:` key is the snake_case field name.
struct ConsumerSettings {
  // -1: 16 for a concurrent listener, Integer.MAX_VALUE for an orderly one [DPCI, CMOS].
  int32_t max_reconsume_times = -1;
  // Minutes upstream; rmqsim accepts any positive duration.
  core::SimDuration consume_timeout = core::SimDuration::Seconds(15 * 60);
  int32_t consume_thread_min = 20;  // the unbounded task queue keeps the pool at this size
  int32_t consume_message_batch_max_size = 1;
  int32_t pull_batch_size = 32;
  core::SimDuration pull_interval = core::SimDuration::Zero();
  int32_t pull_threshold_for_queue = 1000;
  int32_t consume_concurrently_max_span = 2000;
  core::SimDuration suspend_current_queue_time_millis = core::SimDuration::Millis(1000);
  core::SimDuration persist_consumer_offset_interval = core::SimDuration::Millis(5000);
  core::SimDuration pull_time_delay_mills_when_exception = core::SimDuration::Millis(1000);
  core::SimDuration poll_name_server_interval = core::SimDuration::Millis(30000);
  core::SimDuration heartbeat_broker_interval = core::SimDuration::Millis(30000);

  // getMaxReconsumeTimes(): the -1 default resolved for the listener kind.
  int32_t EffectiveMaxReconsumeTimes(bool orderly) const {
    if (max_reconsume_times != -1) return max_reconsume_times;
    return orderly ? INT32_MAX : 16;
  }
};

enum class ConsumerSettingType { kDuration, kInt };
using ConsumerSettingValue = std::variant<core::SimDuration, int64_t>;

// One consumer `config:` key: its type, bounds (durations in ms) and how it is applied.
struct ConsumerSettingInfo {
  std::string_view key;       // "max_reconsume_times"
  ConsumerSettingType type;
  std::string_view upstream;  // "DefaultMQPushConsumer.maxReconsumeTimes"
  int64_t min = 0;
  int64_t max = INT32_MAX;
  void (*apply)(ConsumerSettings&, const ConsumerSettingValue&) = nullptr;
};

// Every consumer setting, in documentation order.
const std::vector<ConsumerSettingInfo>& AllConsumerSettings();
const ConsumerSettingInfo* FindConsumerSetting(std::string_view key);

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_CONSUMER_SETTINGS_H_
