// One simulated push consumer instance: MQClientInstance + DefaultMQPushConsumerImpl with its
// RebalancePushImpl, PullMessageService, ConsumeMessageConcurrentlyService /
// ConsumeMessageOrderlyService, offset store and inner producer, ported from rocketmq-all-4.9.0 /
// 4.9.3 / 4.9.8 / 5.3.3 (rocketmq-consumer-behaviour.md §1–§3, §6) with every version difference
// asked of Profile::consumer.
//
// Threads as upstream: the scheduled thread (route poll 10 ms then every 30 s; cleanOfflineBroker
// + heartbeat 1 s then every 30 s; offset persist 10 s then every 5 s), the rebalance thread (20 s,
// or at once on NOTIFY_CONSUMER_IDS_CHANGED), the single pull thread, the consume pool
// (consumeThreadMin threads, unbounded queue), the consume scheduled thread (5 s local
// resubmission, orderly suspend and lock retries, orderly lockAll every 20 s) and the
// consume-timeout cleaner. Pulls are async PULL_MESSAGE with a 15 s hold; send-back is a sync
// CONSUMER_SEND_MSG_BACK (5 s) on the consume thread with the inner producer (a ProducerClient of
// the same profile, group CLIENT_INNER_PRODUCER) as the fallback.
//
// The application listener follows the consumer's `behaviour` (scenario-format.md): per call,
// with the instance's named Rng stream "consumer:GROUP#I/listener".
#ifndef RMQSIM_SIM_CONSUMER_H_
#define RMQSIM_SIM_CONSUMER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/executor.h"
#include "core/semaphore.h"
#include "core/sync.h"
#include "sim/client_context.h"
#include "sim/consumer_ledger.h"
#include "sim/consumer_protocol.h"
#include "sim/producer.h"
#include "sim/remoting_client.h"
#include "sim/route.h"

namespace rmqsim::sim {

class BrokerConsumerSide;

// What the World hands every consumer instance.
struct ConsumerEnv {
  core::Scheduler& sched;
  core::TaskScope& scope;
  core::EventLog& log;
  Network& net;
  const Profile& profile;
  ConsumerLedger& ledger;
  uint64_t seed;
  StepTime step_time;
  std::vector<std::string> namesrv_addrs;
  // The consumer side of the broker at `addr` (to tell it a killed consumer's connection closed).
  std::function<BrokerConsumerSide*(const std::string& addr)> broker_side;
};

// MessageQueue, ordered as MessageQueue.compareTo (topic, brokerName, queueId).
struct MQ {
  std::string topic;
  std::string broker;
  int32_t queue = 0;
  auto operator<=>(const MQ&) const = default;
  bool operator==(const MQ&) const = default;
  std::string ToString() const;
};

// LocalFileOffsetStore's file (broadcasting): it survives a restart of the instance.
using LocalOffsetFile = std::map<MQ, int64_t>;

class ConsumerClient : public ConsumerEndpoint {
 public:
  ConsumerClient(const ConsumerEnv& env, const ConsumerSpec& spec, int32_t instance,
                 int32_t incarnation, ConsumerSettings settings, LocalOffsetFile* local_file);
  ~ConsumerClient() override;
  ConsumerClient(const ConsumerClient&) = delete;
  ConsumerClient& operator=(const ConsumerClient&) = delete;

  // DefaultMQPushConsumer.start().
  void Start();
  // The process stops: `fin` (kill) closes its connections, so brokers unregister it at once;
  // without (crash) they notice after 120 s of silence.
  void Stop(bool fin);

  // ConsumerEndpoint.
  void OnConsumerIdsChanged(const std::string& group) override;
  bool alive() const override { return started_ && !dead_; }
  const std::string& net_group() const override { return ctx_.group; }

  const std::string& client_id() const { return ctx_.id; }
  // The queues this instance currently consumes (process queue table), sorted.
  std::vector<MQ> AssignedQueues() const;
  // The committed offsets in memory (offset store).
  std::optional<int64_t> OffsetInMemory(const MQ& mq) const;
  bool cleaner_dead() const { return cleaner_dead_; }

 private:
  struct ClientMessage;
  struct ProcessQueue;
  struct PullRequest;
  using MsgPtr = std::shared_ptr<ClientMessage>;
  using PQPtr = std::shared_ptr<ProcessQueue>;
  using PullPtr = std::shared_ptr<PullRequest>;
  using ResultCallback = std::function<Task<void>(SimThread&, Try<RemotingCommand>)>;
  struct ListenerResult;

  void Log(std::string kind, const std::string& msg, std::string text);
  core::Delay Step(SimThread& t);
  Task<TryVoid> InvokeAsync(SimThread& t, const std::string& addr, RemotingCommand req,
                            int64_t timeout_ms, ResultCallback cb);
  Task<void> AdaptResponseFuture(SimThread& t, std::shared_ptr<ResponseFuture> rf,
                                 ResultCallback cb);
  std::shared_ptr<ConsumerRequest> NewRequest() const;
  // A request about one queue (offset queries and updates, max offset), with the next opaque.
  RemotingCommand QueueRequest(RemotingCommand::Type type, const MQ& mq, int64_t offset = 0);

  // ---- MQClientInstance ----
  Task<void> StartOnMainThread(SimThread& t);
  Task<bool> UpdateTopicRoute(SimThread& t, std::string topic);
  Task<void> UpdateAllRoutes(SimThread& t);
  Task<void> HeartbeatAll(SimThread& t);
  void CleanOfflineBroker();
  std::optional<std::string> MasterAddr(const std::string& broker) const;
  Task<std::optional<std::string>> FindAddrOrUpdate(SimThread& t, const MQ& mq);

  // ---- Rebalance ----
  Task<void> RebalanceService(SimThread& t);
  Task<void> WaitForRunning(SimDuration interval);
  void WakeupRebalance();
  Task<bool> DoRebalance(SimThread& t);
  Task<bool> RebalanceByTopic(SimThread& t, std::string topic);
  Task<std::optional<std::vector<std::string>>> FindConsumerIdList(SimThread& t,
                                                                  std::string topic);
  Task<bool> UpdateProcessQueueTable(SimThread& t, std::string topic, std::set<MQ> mqs);
  Task<bool> RemoveUnnecessaryMessageQueue(SimThread& t, MQ mq, PQPtr pq);
  Task<int64_t> ComputePullFromWhere(SimThread& t, MQ mq);
  std::set<MQ> WorkingQueues(const std::string& topic) const;

  // ---- Offsets ----
  void UpdateOffset(const MQ& mq, int64_t offset, bool increase_only);
  Task<int64_t> ReadOffsetFromStore(SimThread& t, MQ mq);
  Task<void> PersistAll(SimThread& t);
  Task<void> PersistOne(SimThread& t, MQ mq);
  Task<void> UpdateConsumeOffsetToBroker(SimThread& t, MQ mq, int64_t offset);
  Task<std::optional<int64_t>> MaxOffset(SimThread& t, MQ mq);

  // ---- Pull ----
  Task<void> PullService(SimThread& t);
  void ExecutePullRequestImmediately(PullPtr pr);
  void ExecutePullRequestLater(PullPtr pr, SimDuration delay);
  Task<void> PullMessage(SimThread& t, PullPtr pr);
  Task<void> OnPullResult(SimThread& t, PullPtr pr, Try<RemotingCommand> r);

  // ---- Consume (shared) ----
  void SubmitConsumeRequest(std::vector<MsgPtr> msgs, PQPtr pq, MQ mq, bool dispatch);
  Task<ListenerResult> CallListener(SimThread& t, const std::vector<MsgPtr>& msgs, const MQ& mq);
  void ResetRetryTopic(const std::vector<MsgPtr>& msgs) const;

  // ---- ConsumeMessageConcurrentlyService ----
  Task<void> ConsumeConcurrently(SimThread& t, std::vector<MsgPtr> msgs, PQPtr pq, MQ mq);
  Task<void> ProcessConsumeResult(SimThread& t, bool success, std::vector<MsgPtr> msgs, PQPtr pq,
                                  MQ mq);
  // DefaultMQPushConsumerImpl.sendMessageBack: the broker path, else the inner-producer fallback;
  // false when both failed (the exception escaped).
  Task<bool> SendMessageBack(SimThread& t, MsgPtr m, int32_t delay_level,
                             std::optional<std::string> broker_name, std::string via);
  Task<bool> SendBackAsNormalMessage(SimThread& t, MsgPtr m, std::string via);
  // DefaultMQProducer.send(newMsg) on the calling thread; true when it returned a SendResult.
  Task<bool> SendThroughInnerProducer(SimThread& t, MsgPtr m,
                                      std::shared_ptr<RetrySendProps> props);
  Task<void> CleanExpireMsg(SimThread& t);

  // ---- ConsumeMessageOrderlyService ----
  Task<void> ConsumeOrderly(SimThread& t, PQPtr pq, MQ mq);
  Task<bool> ProcessOrderlyResult(SimThread& t, std::vector<MsgPtr> msgs, bool success, PQPtr pq,
                                  MQ mq);
  Task<bool> CheckReconsumeTimes(SimThread& t, std::vector<MsgPtr> msgs);
  Task<bool> SendOrderlyCopy(SimThread& t, MsgPtr m);
  void SubmitOrderlyLater(PQPtr pq, MQ mq, int64_t suspend_ms);
  void TryLockLaterAndReconsume(PQPtr pq, MQ mq, int64_t delay_ms);
  Task<void> LockAll(SimThread& t);
  Task<bool> LockOne(SimThread& t, MQ mq);
  Task<void> Unlock(SimThread& t, MQ mq);
  core::Semaphore& MessageQueueLock(const MQ& mq);

  ConsumerEnv env_;
  const ConsumerSpec& spec_;
  const int32_t instance_;
  const int32_t incarnation_;
  const ConsumerSettings settings_;
  const bool orderly_;
  const bool clustering_;
  const int32_t max_reconsume_times_;
  Recorder inner_recorder_;  // the inner producer's sends (copied into the message's journey)
  ClientContext ctx_;
  RemotingClient remoting_;
  std::unique_ptr<ProducerClient> inner_;
  core::Rng listener_rng_;
  core::Rng random_;  // MQClientInstance's java.util.Random (findBrokerAddrByTopic)
  LocalOffsetFile* local_file_;
  bool started_ = false;
  bool dead_ = false;
  bool cleaner_dead_ = false;
  std::vector<std::string> subscriptions_;  // the topic, and %RETRY%<group> when clustering

  // Threads.
  core::SimThread main_thread_;
  core::SimThread pull_thread_;
  core::SimThread rebalance_thread_;
  core::ScheduledExecutor scheduled_;
  core::ScheduledExecutor consume_scheduled_;
  core::ScheduledExecutor cleaner_;
  core::Executor consume_executor_;
  core::Semaphore lock_namesrv_;
  core::Semaphore lock_heartbeat_;

  // Routes.
  std::map<std::string, TopicRouteData> topic_route_table_;
  std::map<std::string, std::map<int64_t, std::string>> broker_addr_table_;
  std::map<std::string, std::set<MQ>> subscribe_info_;
  std::set<std::string> registered_addrs_;  // brokers the heartbeat reached (connections)

  // Rebalance service.
  bool rebalance_notified_ = false;
  std::shared_ptr<core::Latch> rebalance_latch_;
  int64_t last_rebalance_ms_ = 0;
  std::map<MQ, PQPtr> process_queue_table_;

  // Pull service.
  std::deque<PullPtr> pull_queue_;
  std::shared_ptr<core::Latch> pull_latch_;

  // Offset store (memory).
  std::map<MQ, int64_t> offset_table_;
  // Orderly: messageQueueLock.
  std::map<MQ, std::unique_ptr<core::Semaphore>> mq_locks_;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_CONSUMER_H_
