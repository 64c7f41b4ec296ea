// BrokerConsumerSide: what a broker does for push consumers (rocketmq-consumer-behaviour.md §4–§6).
//
// The store (commit log and consume queues; a DELAY > 0 routes a message into
// SCHEDULE_TOPIC_XXXX, §5.2), the ScheduleMessageService (one chain per level, exact timer in
// 4.9.0, 100 ms polls in 4.9.3+, progress persisted every 10 s, §5.3), PULL_MESSAGE with long
// polling (15 s hold, ~1 ms wake on arrival, 5 s checker, §6.2), consumer registration by
// heartbeat with %RETRY%<group> creation and NOTIFY_CONSUMER_IDS_CHANGED (§4.1, §6.3), consumer
// offsets (persisted every 5 s), queue locks for orderly consumers, CONSUMER_SEND_MSG_BACK (§4.2)
// and the %RETRY% handling of normal sends (§4.3). Version differences are asked of
// Profile::consumer. Created by the World only when a scenario has consumers; the Broker hands it
// the requests it intercepts and tells it about stores and process starts and kills.
//
// Simplifications (README): pulls are served from memory (32 messages / 256 KiB per pull) with no
// service time; consumer-facing requests see the `slow` fault, and send-backs and %RETRY% sends
// also the `error` and `drop_responses` faults (they use the send thread pool); a consumer silent
// for 120 s is dropped at the 10 s housekeeping scan and the group is notified (as the server's
// idle-channel close does).
#ifndef RMQSIM_SIM_BROKER_CONSUMER_H_
#define RMQSIM_SIM_BROKER_CONSUMER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/random.h"
#include "sim/consumer_ledger.h"
#include "sim/consumer_protocol.h"
#include "sim/network.h"

namespace rmqsim::sim {

class Broker;

class BrokerConsumerSide {
 public:
  // `delay_levels`: messageDelayLevel (level i = delay_levels[i-1]); empty: the upstream default.
  BrokerConsumerSide(Broker& broker, ConsumerLedger& ledger,
                     std::vector<SimDuration> delay_levels, uint64_t seed);
  BrokerConsumerSide(const BrokerConsumerSide&) = delete;
  BrokerConsumerSide& operator=(const BrokerConsumerSide&) = delete;

  // Requests this side serves: the consumer protocol and %RETRY% sends of inner producers.
  bool Intercepts(const RemotingCommand& req) const;
  void HandleRequest(const std::shared_ptr<Channel>& ch, std::shared_ptr<const RemotingCommand> r);
  // The broker stored a producer's message at `queue_offset`.
  void OnProducerStored(const RemotingCommand& req, int64_t queue_offset);
  void OnProcessStart();
  void OnProcessKill();
  // A consumer's connection closed (its process was killed): unregister it, notify the group.
  void OnClientChannelClosed(const std::string& client_id);

  // ---- Inspection (tests, reports) ----
  const std::vector<StoredPtr>* ConsumeQueue(const std::string& topic, int32_t queue) const;
  int64_t ConsumerOffset(const std::string& group, const std::string& topic, int32_t queue) const;
  std::vector<std::string> ConsumerIds(const std::string& group) const;
  size_t held_pulls() const;
  int32_t max_delay_level() const { return static_cast<int32_t>(delay_ms_.size()); }
  int64_t DelayMs(int32_t level) const { return delay_ms_[static_cast<size_t>(level - 1)]; }
  // A level's recorded (offsetTable) and persisted schedule progress.
  int64_t ScheduleTableOffset(int32_t level) const;
  int64_t SchedulePersistedOffset(int32_t level) const;

 private:
  using QueueKey = std::pair<std::string, int32_t>;                  // (topic, queueId)
  using OffsetKey = std::tuple<std::string, std::string, int32_t>;   // (group, topic, queueId)

  struct Held {  // a parked PULL_MESSAGE
    std::shared_ptr<Channel> ch;
    int32_t opaque = 0;
    std::shared_ptr<const ConsumerRequest> body;
    int64_t suspend_ms = 0;
  };
  struct Client {
    ConsumerEndpoint* endpoint = nullptr;
    int64_t last_update_ms = 0;
  };
  struct Lock {
    std::string client_id;
    int64_t last_update_ms = 0;
  };
  struct Level {  // one ScheduleMessageService chain (DeliverDelayedMessageTimerTask)
    int64_t progress = 0;   // the chain's offset
    int64_t table = 0;      // offsetTable (what persist() writes)
    int64_t persisted = 0;  // on disk: a restarted broker resumes here
    bool pending = false;   // a run is scheduled
    uint64_t run_seq = 0;   // invalidates a scheduled run
    SimTime grid_base;      // 4.9.3+: the chain runs at grid_base + k * 100 ms
    SimTime last_run;       // 4.9.0: polls 100 ms after its last run while the queue is empty
    bool started = false;
  };

  std::string actor() const;
  void Log(std::string kind, const std::string& msg, std::string text);
  bool Up(uint64_t inc) const;
  // Runs `fn` after `delay` if this process incarnation is still up and not frozen.
  template <typename F>
  void After(SimDuration delay, F fn);
  void Respond(const std::shared_ptr<Channel>& ch, int32_t opaque, int32_t code,
               std::string remark, std::shared_ptr<const ConsumerResponse> body = nullptr,
               int32_t queue_id = 0, const std::string& msg_id = "", bool droppable = false);
  // The `error` fault drawn for a send-back (as Broker::Check does for sends); kSuccess if none.
  int32_t DrawError(std::string* remark);

  // ---- Store ----
  // Appends a message (CommitLog.putMessage): DELAY `route_level` > 0 reroutes it into
  // SCHEDULE_TOPIC_XXXX. Records the journey for consumer copies.
  StoredPtr Put(StoredMessage m, int32_t route_level, const std::string& via);
  std::vector<StoredPtr>& Queue(const std::string& topic, int32_t queue);
  void EnsureTopic(const std::string& topic, int32_t perm);

  // ---- Requests ----
  void Heartbeat(const std::shared_ptr<Channel>& ch, int32_t opaque, const ConsumerRequest& b);
  void Pull(const std::shared_ptr<Channel>& ch, int32_t opaque,
            std::shared_ptr<const ConsumerRequest> b, bool allow_suspend);
  void SendBack(const std::shared_ptr<Channel>& ch, int32_t opaque, const ConsumerRequest& b);
  void RetrySend(const std::shared_ptr<Channel>& ch, const RemotingCommand& req);
  void LockBatch(const std::shared_ptr<Channel>& ch, int32_t opaque, const ConsumerRequest& b);
  void UnlockBatch(const ConsumerRequest& b);
  bool AllLocksExpired(const std::string& group) const;

  // ---- Long polling ----
  void WakeHeld(const QueueKey& q);
  void CheckHeld();

  void PersistOffsets() { persisted_offsets_ = offsets_; }
  void PersistSchedule() {
    for (Level& l : levels_) l.persisted = l.table;
  }

  // ---- Consumer manager ----
  void NotifyGroup(const std::string& group);
  void ScanNotActive();

  // ---- Schedule service ----
  void StartSchedule();
  void OnScheduleAppend(int32_t level);
  void ArmRun(int32_t level, SimTime at);
  void RunLevel(int32_t level);
  void RePut(const StoredPtr& e);
  SimTime NextGridTick(const Level& l, SimTime after, bool inclusive) const;

  Broker& b_;
  ConsumerLedger& ledger_;
  std::vector<int64_t> delay_ms_;  // by level - 1
  core::Rng rng_;                  // schedule poll phase per level and start
  // Store (survives restarts).
  std::vector<StoredPtr> commit_log_;
  std::map<QueueKey, std::vector<StoredPtr>> queues_;
  std::map<OffsetKey, int64_t> persisted_offsets_;
  std::vector<Level> levels_;  // by level - 1; progress persisted
  // Process memory (lost on kill).
  std::map<OffsetKey, int64_t> offsets_;
  std::map<QueueKey, std::vector<Held>> held_;
  std::map<std::string, std::map<std::string, Client>> groups_;
  std::map<std::string, std::map<QueueKey, Lock>> locks_;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_BROKER_CONSUMER_H_
