// ConsumerLedger: where consumers and brokers record what happens to each message past the first
// store (timeline-format.md `deliveries`, `fates`, and the `journey` extension).
//
// Every copy of a message (original, %RETRY%, SCHEDULE_TOPIC_XXXX, %DLQ%) carries the Recorder
// index of the producer's message, so listener invocations, retry hops and the dead-letter store
// all land on that one MessageRecord. A group's fate is sealed by its first decisive event:
//  - clustering: the first successful consumption (consumed) or the %DLQ% store (dead_lettered);
//  - broadcasting: the first failure an instance drops (dropped), else consumed once every
//    instance of the group has consumed the message successfully.
// Successful consumptions beyond the first (per instance when broadcasting) count as duplicates.
#ifndef RMQSIM_SIM_CONSUMER_LEDGER_H_
#define RMQSIM_SIM_CONSUMER_LEDGER_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/consumer_protocol.h"
#include "sim/recorder.h"
#include "sim/scenario.h"

namespace rmqsim::sim {

class ConsumerLedger {
 public:
  ConsumerLedger(Recorder& recorder, const std::vector<ConsumerSpec>& consumers);

  // A message was registered: a pending fate for every group subscribed to `topic`.
  void InitFates(int64_t index, const std::string& topic);

  // Listener calls so far that included the message in `group` (by `consumer` only, if given).
  int32_t PriorDeliveries(int64_t index, const std::string& group,
                          const std::string& consumer) const;
  // The listener was called with a message; returns the delivery's slot for DeliveryDone.
  size_t Delivered(int64_t index, DeliveryRecord d);
  // The call returned `result` (see DeliveryRecord::result); `success` when the work was done.
  void DeliveryDone(int64_t index, size_t slot, SimTime end, std::string result, bool success);
  // A broadcasting instance dropped a failed message (§7.4).
  void Dropped(int64_t index, const std::string& group, SimTime at);
  // A broker stored a copy of the message for `group` (journey); `dead_letter` when it is the
  // %DLQ% store, which seals the group's fate.
  void Copy(int64_t index, JourneyRecord j, bool dead_letter);

 private:
  FateRecord* FindFate(int64_t index, const std::string& group);
  void Seal(FateRecord& f, Fate fate, SimTime at);

  Recorder& recorder_;
  struct Group {
    bool broadcasting = false;
    int32_t instances = 1;
    std::string topic;
  };
  std::map<std::string, Group> groups_;
  // Broadcasting: which instances consumed (index, group) successfully.
  std::map<std::pair<int64_t, std::string>, std::set<std::string>> broadcast_consumed_;
  // Clustering: successful consumptions of (index, group) so far.
  std::map<std::pair<int64_t, std::string>, int32_t> successes_;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_CONSUMER_LEDGER_H_
