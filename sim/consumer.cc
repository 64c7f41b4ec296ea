#include "sim/consumer.h"

#include <algorithm>
#include <deque>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim/broker_consumer.h"
#include "sim/response_code.h"

namespace rmqsim::sim {
namespace {

using Type = RemotingCommand::Type;

constexpr int64_t kFlowControlDelayMs = 50;        // PULL_TIME_DELAY_MILLS_WHEN_FLOW_CONTROL
constexpr int64_t kBrokerSuspendMaxMs = 15000;     // BROKER_SUSPEND_MAX_TIME_MILLIS
constexpr int64_t kPullTimeoutMs = 30000;          // CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND
constexpr int64_t kSendBackTimeoutMs = 5000;       // consumerSendMessageBack timeout
constexpr int64_t kResubmitDelayMs = 5000;         // submitConsumeRequestLater
constexpr int64_t kPullExpiredMs = 120000;         // ProcessQueue.PULL_MAX_IDLE_TIME
constexpr int64_t kLockMaxLiveMs = 30000;          // ProcessQueue.REBALANCE_LOCK_MAX_LIVE_TIME
constexpr int64_t kLockTimeoutMs = 1000;           // lockBatchMQ timeout
constexpr int64_t kMaxTimeConsumeContinuouslyMs = 60000;
constexpr int64_t kUnlockDelayMs = 20000;          // RebalancePushImpl.UNLOCK_DELAY_TIME_MILLS
constexpr int64_t kOffsetIllegalFixMs = 10000;
constexpr int32_t kCleanRounds = 16;

}  // namespace

std::string MQ::ToString() const { return absl::StrCat(topic, "@", broker, ":", queue); }

// MessageExt as the client holds it: the stored message plus the fields the client changes.
struct ConsumerClient::ClientMessage {
  StoredPtr stored;
  std::string topic;            // reset from %RETRY%<group> to RETRY_TOPIC before the listener
  int32_t reconsume_times = 0;  // stored value plus local increments
  std::optional<int64_t> consume_start_ms;  // CONSUME_START_TIME
  MQ mq;                        // the queue it was pulled from (5.3.3 stamps the broker name)
  int64_t queue_offset() const { return stored->queue_offset; }
};

// ProcessQueue [PQ@4.9.3].
struct ConsumerClient::ProcessQueue {
  std::map<int64_t, MsgPtr> msgs;       // msgTreeMap
  std::map<int64_t, MsgPtr> consuming;  // consumingMsgOrderlyTreeMap
  int64_t queue_offset_max = 0;
  bool dropped = false;
  bool consuming_flag = false;          // orderly: a ConsumeRequest is dispatched
  bool locked = false;
  int64_t last_lock_ms = 0;
  int64_t last_pull_ms = 0;

  int64_t MsgCount() const { return static_cast<int64_t>(msgs.size() + consuming.size()); }
  int64_t MaxSpan() const {
    return msgs.empty() ? 0 : msgs.rbegin()->first - msgs.begin()->first;
  }
  bool Contains(const MsgPtr& m) const {
    auto it = msgs.find(m->queue_offset());
    return it != msgs.end() && it->second == m;
  }
  bool PutMessage(const std::vector<MsgPtr>& v) {
    for (const MsgPtr& m : v) {
      if (msgs.emplace(m->queue_offset(), m).second) queue_offset_max = m->queue_offset();
    }
    bool dispatch = false;
    if (!msgs.empty() && !consuming_flag) {
      dispatch = true;
      consuming_flag = true;
    }
    return dispatch;
  }
  // -1 if nothing is cached; else the lowest offset still cached, or highest-ever + 1.
  int64_t RemoveMessage(const std::vector<MsgPtr>& v) {
    if (msgs.empty()) return -1;
    int64_t result = queue_offset_max + 1;
    for (const MsgPtr& m : v) msgs.erase(m->queue_offset());
    if (!msgs.empty()) result = msgs.begin()->first;
    return result;
  }
  bool LockExpired(int64_t now_ms) const { return now_ms - last_lock_ms > kLockMaxLiveMs; }
  // Orderly.
  std::vector<MsgPtr> TakeMessages(int32_t n) {
    std::vector<MsgPtr> out;
    while (static_cast<int32_t>(out.size()) < n && !msgs.empty()) {
      auto it = msgs.begin();
      out.push_back(it->second);
      consuming.emplace(it->first, it->second);
      msgs.erase(it);
    }
    if (out.empty()) consuming_flag = false;
    return out;
  }
  int64_t Commit() {
    if (consuming.empty()) return -1;
    int64_t offset = consuming.rbegin()->first + 1;
    consuming.clear();
    return offset;
  }
  void MakeMessageToConsumeAgain(const std::vector<MsgPtr>& v) {
    for (const MsgPtr& m : v) {
      consuming.erase(m->queue_offset());
      msgs.emplace(m->queue_offset(), m);
    }
  }
};

struct ConsumerClient::PullRequest {
  MQ mq;
  PQPtr pq;
  int64_t next_offset = 0;
  bool previously_locked = false;
};

struct ConsumerClient::ListenerResult {
  bool success = false;        // CONSUME_SUCCESS / SUCCESS
  std::string result;          // the delivery record's result
};

ConsumerClient::ConsumerClient(const ConsumerEnv& env, const ConsumerSpec& spec, int32_t instance,
                               int32_t incarnation, ConsumerSettings settings,
                               LocalOffsetFile* local_file)
    : env_(env),
      spec_(spec),
      instance_(instance),
      incarnation_(incarnation),
      settings_(settings),
      orderly_(spec.listener == ListenerKind::kOrderly),
      clustering_(spec.model == ConsumerModel::kClustering),
      max_reconsume_times_(settings.EffectiveMaxReconsumeTimes(orderly_)),
      ctx_{env.sched,
           env.scope,
           env.log,
           env.net,
           inner_recorder_,
           env.profile,
           env.profile.defaults,
           absl::StrCat(spec.group, "#", instance),
           spec.group,
           env.seed,
           env.step_time,
           core::Rng::ForStream(env.seed, absl::StrCat("consumer:", spec.group, "#", instance,
                                                       incarnation > 1
                                                           ? absl::StrCat("@", incarnation)
                                                           : "",
                                                       "/client-steps"))},
      remoting_(ctx_, env.namesrv_addrs),
      listener_rng_(core::Rng::ForStream(
          env.seed, absl::StrCat("consumer:", spec.group, "#", instance,
                                 incarnation > 1 ? absl::StrCat("@", incarnation) : "",
                                 "/listener"))),
      random_(core::Rng::ForStream(
          env.seed, absl::StrCat("consumer:", spec.group, "#", instance,
                                 incarnation > 1 ? absl::StrCat("@", incarnation) : "",
                                 "/random"))),
      local_file_(local_file),
      main_thread_("main"),
      pull_thread_("PullMessageService"),
      rebalance_thread_("RebalanceService"),
      scheduled_(env.sched, env.scope, "MQClientFactoryScheduledThread"),
      consume_scheduled_(env.sched, env.scope, "ConsumeMessageScheduledThread_"),
      cleaner_(env.sched, env.scope, "CleanExpireMsgScheduledThread_"),
      consume_executor_(env.sched, env.scope,
                        absl::StrCat("ConsumeMessageThread_", spec.group, "_"),
                        settings.consume_thread_min, SIZE_MAX),
      lock_namesrv_(env.sched, 1),
      lock_heartbeat_(env.sched, 1) {
  ctx_.role = "consumer";
  ctx_.settings.mq_client_api_timeout = env.profile.defaults.mq_client_api_timeout;
  // settings a client instance shares (ClientConfig): the consumer's own poll/heartbeat periods
  ctx_.settings.poll_name_server_interval = settings.poll_name_server_interval;
  ctx_.settings.heartbeat_broker_interval = settings.heartbeat_broker_interval;
  // The instance's default producer (CLIENT_INNER_PRODUCER): default settings, sync sends.
  ClientContext inner{env.sched,
                      env.scope,
                      env.log,
                      env.net,
                      inner_recorder_,
                      env.profile,
                      env.profile.defaults,
                      absl::StrCat(std::string(kClientInnerProducerGroup), "@", ctx_.id,
                                   incarnation > 1 ? absl::StrCat("@", incarnation) : ""),
                      spec.group,
                      env.seed,
                      env.step_time,
                      core::Rng::ForStream(env.seed, absl::StrCat("consumer:", ctx_.id,
                                                                  incarnation > 1
                                                                      ? absl::StrCat("@", incarnation)
                                                                      : "",
                                                                  "/inner-producer-steps"))};
  inner_ = std::make_unique<ProducerClient>(std::move(inner), env.namesrv_addrs);
  subscriptions_.push_back(spec.topic);
  if (clustering_) subscriptions_.push_back(RetryTopic(spec.group));  // copySubscription (§5.4)
}

ConsumerClient::~ConsumerClient() = default;

void ConsumerClient::Log(std::string kind, const std::string& msg, std::string text) {
  ctx_.Log(std::move(kind), msg, std::move(text));
}

core::Delay ConsumerClient::Step(SimThread& t) {
  (void)t;
  return ctx_.Step();
}

std::shared_ptr<ConsumerRequest> ConsumerClient::NewRequest() const {
  auto r = std::make_shared<ConsumerRequest>();
  r->group = spec_.group;
  r->client_id = ctx_.id;
  return r;
}

RemotingCommand ConsumerClient::QueueRequest(RemotingCommand::Type type, const MQ& mq,
                                             int64_t offset) {
  auto body = NewRequest();
  body->topic = mq.topic;
  body->queue_id = mq.queue;
  body->offset = offset;
  RemotingCommand req;
  req.type = type;
  req.consumer = body;
  req.opaque = remoting_.NextOpaque();
  return req;
}

Task<void> ConsumerClient::AdaptResponseFuture(SimThread& t, std::shared_ptr<ResponseFuture> rf,
                                               ResultCallback cb) {
  if (rf->response) {
    co_await cb(t, *rf->response);
  } else if (!rf->send_request_ok) {
    co_await cb(t, MakeEx(ExClass::kRemotingSendRequestException, "send request failed"));
  } else {
    co_await cb(t, MakeEx(ExClass::kRemotingTimeoutException,
                          absl::StrFormat("wait response timeout %dms", rf->timeout_ms)));
  }
}

Task<TryVoid> ConsumerClient::InvokeAsync(SimThread& t, const std::string& addr,
                                          RemotingCommand req, int64_t timeout_ms,
                                          ResultCallback cb) {
  req.opaque = remoting_.NextOpaque();
  if (ctx_.profile.async_connect == AsyncConnect::kListener) {
    co_return co_await remoting_.InvokeAsyncListener(
        t, &addr, std::make_shared<const RemotingCommand>(std::move(req)), timeout_ms,
        std::move(cb));
  }
  InvokeCallback adapt = [this, cb](SimThread& ct, std::shared_ptr<ResponseFuture> rf) {
    return AdaptResponseFuture(ct, std::move(rf), cb);
  };
  co_return co_await remoting_.InvokeAsync(t, &addr, std::move(req), timeout_ms, std::move(adapt));
}

// ---- Start and stop --------------------------------------------------------------------------

void ConsumerClient::Start() {
  started_ = true;
  Log("consumer_start",
      "", absl::StrFormat("%s %s %s listener on %s, profile %s, maxReconsumeTimes %d",
                          spec_.group, clustering_ ? "CLUSTERING" : "BROADCASTING",
                          orderly_ ? "orderly" : "concurrent", spec_.topic,
                          std::string(ctx_.profile.name), max_reconsume_times_));
  remoting_.Start();
  inner_->Start();
  if (!orderly_) {
    // ConsumeMessageConcurrentlyService.start: the cleaner, first after consumeTimeout.
    cleaner_.ScheduleAtFixedRate(settings_.consume_timeout, settings_.consume_timeout,
                                 [this](SimThread& t) { return CleanExpireMsg(t); });
  } else if (clustering_) {
    // ConsumeMessageOrderlyService.start: lockAll every 20 s, first after 1 s.
    consume_scheduled_.ScheduleAtFixedRate(SimDuration::Millis(1000), SimDuration::Millis(20000),
                                           [this](SimThread& t) { return LockAll(t); });
  }
  // MQClientInstance.startScheduledTask.
  scheduled_.ScheduleAtFixedRate(SimDuration::Millis(10), settings_.poll_name_server_interval,
                                 [this](SimThread& t) { return UpdateAllRoutes(t); });
  scheduled_.ScheduleAtFixedRate(SimDuration::Millis(1000), settings_.heartbeat_broker_interval,
                                 [this](SimThread& t) -> Task<void> {
                                   CleanOfflineBroker();
                                   return HeartbeatAll(t);
                                 });
  scheduled_.ScheduleAtFixedRate(SimDuration::Millis(10000),
                                 settings_.persist_consumer_offset_interval,
                                 [this](SimThread& t) { return PersistAll(t); });
  ctx_.scope.Spawn(PullService(pull_thread_));
  ctx_.scope.Spawn(RebalanceService(rebalance_thread_));
  ctx_.scope.Spawn(StartOnMainThread(main_thread_));
}

Task<void> ConsumerClient::StartOnMainThread(SimThread& t) {
  // The end of DefaultMQPushConsumerImpl.start(): routes of the subscriptions, heartbeat to
  // every broker (which creates %RETRY%<group> there), then rebalanceImmediately().
  for (const std::string& topic : subscriptions_) {
    co_await UpdateTopicRoute(t, topic);
    if (dead_) co_return;
  }
  co_await HeartbeatAll(t);
  if (dead_) co_return;
  WakeupRebalance();
}

void ConsumerClient::Stop(bool fin) {
  if (dead_) return;
  dead_ = true;
  scheduled_.Shutdown();
  consume_scheduled_.Shutdown();
  cleaner_.Shutdown();
  Log("consumer_stop", "", fin ? "process killed: its connections close" : "process frozen (crash)");
  if (!fin) return;
  for (const std::string& addr : registered_addrs_) {
    BrokerConsumerSide* side = env_.broker_side(addr);
    Host* host = env_.net.FindHost(addr);
    if (side == nullptr || host == nullptr) continue;
    // The FIN reaches the broker one network delay later (if the path is open).
    auto who = std::make_shared<std::pair<std::string, std::string>>(ctx_.id, ctx_.group);
    env_.sched.ScheduleAfter(host->delay(), [side, host, who] {
      if (host->process_up() && host->ReachableFrom(who->second)) {
        side->OnClientChannelClosed(who->first);
      }
    });
  }
}

void ConsumerClient::OnConsumerIdsChanged(const std::string& group) {
  if (dead_) return;
  Log("consumer_ids_changed", "", "NOTIFY_CONSUMER_IDS_CHANGED for " + group);
  WakeupRebalance();
}

std::vector<MQ> ConsumerClient::AssignedQueues() const {
  std::vector<MQ> out;
  for (const auto& [mq, pq] : process_queue_table_) out.push_back(mq);
  return out;
}

std::optional<int64_t> ConsumerClient::OffsetInMemory(const MQ& mq) const {
  auto it = offset_table_.find(mq);
  if (it == offset_table_.end()) return std::nullopt;
  return it->second;
}

// ---- MQClientInstance: routes and heartbeats ---------------------------------------------------

Task<bool> ConsumerClient::UpdateTopicRoute(SimThread& t, std::string topic) {
  bool locked = co_await lock_namesrv_.TryAcquire(SimDuration::Millis(3000));
  if (!locked || dead_) {
    if (locked) lock_namesrv_.Release();
    co_return false;
  }
  RemotingCommand req;
  req.type = Type::kGetRoute;
  req.route_topic = topic;
  req.opaque = remoting_.NextOpaque();
  Try<RemotingCommand> resp = co_await remoting_.InvokeSync(
      t, nullptr, std::move(req), ctx_.settings.mq_client_api_timeout.floor_ms());
  lock_namesrv_.Release();
  if (dead_ || !resp.ok() || resp.value().code != code::kSuccess) co_return false;
  TopicRouteData route = *std::static_pointer_cast<const TopicRouteData>(resp.value().body);
  route.SortByBrokerName();
  auto old = topic_route_table_.find(topic);
  bool changed = old == topic_route_table_.end() || !(old->second == route);
  if (!changed && subscribe_info_.count(topic)) co_return false;
  for (const BrokerData& bd : route.broker_datas) broker_addr_table_[bd.broker_name] = bd.broker_addrs;
  // topicRouteData2TopicSubscribeInfo: readable queues of every QueueData.
  std::set<MQ> mqs;
  for (const QueueData& qd : route.queue_datas) {
    if (!(qd.perm & kPermRead)) continue;
    for (int32_t i = 0; i < qd.read_queue_nums; ++i) mqs.insert(MQ{topic, qd.broker_name, i});
  }
  std::vector<std::string> names;
  for (const MQ& mq : mqs) names.push_back(absl::StrCat(mq.broker, ":", mq.queue));
  Log("route_changed", "",
      absl::StrCat(topic, ": subscribe info [", absl::StrJoin(names, " "), "]"));
  subscribe_info_[topic] = std::move(mqs);
  topic_route_table_[topic] = std::move(route);
  co_return true;
}

Task<void> ConsumerClient::UpdateAllRoutes(SimThread& t) {
  if (dead_) co_return;
  for (const std::string& topic : subscriptions_) {
    co_await UpdateTopicRoute(t, topic);
    if (dead_) co_return;
  }
}

void ConsumerClient::CleanOfflineBroker() {
  for (auto it = broker_addr_table_.begin(); it != broker_addr_table_.end();) {
    bool found = false;
    for (const auto& [topic, route] : topic_route_table_) {
      for (const BrokerData& bd : route.broker_datas) found = found || bd.broker_name == it->first;
    }
    if (!found) {
      Log("broker_offline", "", "cleanOfflineBroker removed " + it->first);
      it = broker_addr_table_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<std::string> ConsumerClient::MasterAddr(const std::string& broker) const {
  auto it = broker_addr_table_.find(broker);
  if (it == broker_addr_table_.end()) return std::nullopt;
  auto m = it->second.find(0);
  if (m == it->second.end()) return std::nullopt;
  return m->second;
}

Task<std::optional<std::string>> ConsumerClient::FindAddrOrUpdate(SimThread& t, const MQ& mq) {
  // findBrokerAddressInSubscribe(master); when missing, update the topic's route and look again.
  std::optional<std::string> addr = MasterAddr(mq.broker);
  if (!addr) {
    co_await UpdateTopicRoute(t, mq.topic);
    addr = MasterAddr(mq.broker);
  }
  co_return addr;
}

Task<void> ConsumerClient::HeartbeatAll(SimThread& t) {
  if (dead_) co_return;
  // sendHeartbeatToAllBrokerWithLock: one at a time, invokeSync to every master.
  bool locked = co_await lock_heartbeat_.TryAcquire(SimDuration::Seconds(100000));
  if (!locked) co_return;
  std::vector<std::string> addrs;
  for (const auto& [name, ids] : broker_addr_table_) {
    if (auto m = ids.find(0); m != ids.end()) addrs.push_back(m->second);
  }
  for (const std::string& addr : addrs) {
    if (dead_) break;
    auto body = NewRequest();
    body->endpoint = this;
    body->clustering = clustering_;
    body->topics = subscriptions_;
    RemotingCommand req;
    req.type = Type::kHeartbeat;
    req.consumer = body;
    req.opaque = remoting_.NextOpaque();
    Try<RemotingCommand> r = co_await remoting_.InvokeSync(
        t, &addr, std::move(req), ctx_.settings.mq_client_api_timeout.floor_ms());
    if (r.ok() && r.value().code == code::kSuccess) {
      registered_addrs_.insert(addr);
    } else if (!dead_) {
      Log("heartbeat", "", "heartbeat to " + addr + " failed: " +
                               (r.ok() ? code::Name(r.value().code) : r.ex()->Describe()));
    }
  }
  lock_heartbeat_.Release();
}

// ---- Rebalance -----------------------------------------------------------------------------

Task<void> ConsumerClient::WaitForRunning(SimDuration interval) {
  // ServiceThread.waitForRunning: returns at once if woken since the last wait.
  if (rebalance_notified_) {
    rebalance_notified_ = false;
    co_return;
  }
  auto latch = std::make_shared<core::Latch>(ctx_.sched, 1);
  rebalance_latch_ = latch;
  co_await latch->Wait(interval);
  rebalance_latch_.reset();
  rebalance_notified_ = false;
}

void ConsumerClient::WakeupRebalance() {
  if (rebalance_latch_ && !rebalance_latch_->released()) {
    rebalance_latch_->CountDown();
  } else {
    rebalance_notified_ = true;
  }
}

Task<void> ConsumerClient::RebalanceService(SimThread& t) {
  constexpr int64_t kWaitMs = 20000;
  constexpr int64_t kMinIntervalMs = 1000;  // 5.3.3 rocketmq.client.rebalance.minInterval
  int64_t wait = kWaitMs;
  last_rebalance_ms_ = ctx_.now_ms();
  for (;;) {
    co_await WaitForRunning(SimDuration::Millis(wait));
    if (dead_) co_return;
    if (ctx_.profile.consumer.rebalance_min_interval) {
      int64_t interval = ctx_.now_ms() - last_rebalance_ms_;
      if (interval < kMinIntervalMs) {
        wait = kMinIntervalMs - interval;
        continue;
      }
    }
    bool balanced = co_await DoRebalance(t);
    if (dead_) co_return;
    wait = ctx_.profile.consumer.rebalance_min_interval && !balanced ? kMinIntervalMs : kWaitMs;
    last_rebalance_ms_ = ctx_.now_ms();
  }
}

Task<bool> ConsumerClient::DoRebalance(SimThread& t) {
  bool balanced = true;
  for (const std::string& topic : subscriptions_) {
    bool b = co_await RebalanceByTopic(t, topic);
    if (dead_) co_return balanced;
    balanced = balanced && b;
  }
  co_return balanced;
}

Task<std::optional<std::vector<std::string>>> ConsumerClient::FindConsumerIdList(
    SimThread& t, std::string topic) {
  // findBrokerAddrByTopic: a random broker of the topic's route.
  auto pick = [this, &topic]() -> std::optional<std::string> {
    auto it = topic_route_table_.find(topic);
    if (it == topic_route_table_.end() || it->second.broker_datas.empty()) return std::nullopt;
    const auto& brokers = it->second.broker_datas;
    int32_t index = random_.NextJavaInt(static_cast<int32_t>(brokers.size()));
    auto m = brokers[static_cast<size_t>(index)].broker_addrs.find(0);
    if (m == brokers[static_cast<size_t>(index)].broker_addrs.end()) return std::nullopt;
    return m->second;
  };
  std::optional<std::string> addr = pick();
  if (!addr) {
    co_await UpdateTopicRoute(t, topic);
    addr = pick();
  }
  if (!addr || dead_) co_return std::nullopt;
  RemotingCommand req;
  req.type = Type::kGetConsumerList;
  req.consumer = NewRequest();
  req.opaque = remoting_.NextOpaque();
  Try<RemotingCommand> r = co_await remoting_.InvokeSync(
      t, &*addr, std::move(req), ctx_.settings.mq_client_api_timeout.floor_ms());
  if (!r.ok() || r.value().code != code::kSuccess || !r.value().body) co_return std::nullopt;
  co_return std::static_pointer_cast<const ConsumerResponse>(r.value().body)->consumer_ids;
}

std::set<MQ> ConsumerClient::WorkingQueues(const std::string& topic) const {
  std::set<MQ> out;
  for (const auto& [mq, pq] : process_queue_table_) {
    if (mq.topic == topic && !pq->dropped) out.insert(mq);
  }
  return out;
}

Task<bool> ConsumerClient::RebalanceByTopic(SimThread& t, std::string topic) {
  if (!clustering_) {
    auto it = subscribe_info_.find(topic);
    if (it == subscribe_info_.end()) co_return true;
    std::set<MQ> all = it->second;
    bool changed = co_await UpdateProcessQueueTable(t, topic, all);
    if (changed && !dead_) co_await HeartbeatAll(t);  // messageQueueChanged
    co_return all == WorkingQueues(topic);
  }
  std::optional<std::vector<std::string>> cids = co_await FindConsumerIdList(t, topic);
  if (dead_) co_return true;
  auto it = subscribe_info_.find(topic);
  if (it == subscribe_info_.end() || !cids) co_return true;
  std::vector<MQ> mq_all(it->second.begin(), it->second.end());  // sorted (std::set)
  std::vector<std::string> cid_all = *cids;
  std::sort(cid_all.begin(), cid_all.end());
  // AllocateMessageQueueAveragely [AVG@4.9.3].
  std::set<MQ> mine;
  auto pos = std::find(cid_all.begin(), cid_all.end(), ctx_.id);
  if (pos != cid_all.end() && !mq_all.empty()) {
    const int64_t n = static_cast<int64_t>(mq_all.size());
    const int64_t c = static_cast<int64_t>(cid_all.size());
    const int64_t i = pos - cid_all.begin();
    const int64_t mod = n % c;
    const int64_t size = n <= c ? 1 : (mod > 0 && i < mod ? n / c + 1 : n / c);
    const int64_t start = (mod > 0 && i < mod) ? i * size : i * size + mod;
    const int64_t range = std::min(size, n - start);
    for (int64_t k = 0; k < range; ++k) mine.insert(mq_all[static_cast<size_t>((start + k) % n)]);
  }
  bool changed = co_await UpdateProcessQueueTable(t, topic, mine);
  if (dead_) co_return true;
  if (changed) {
    std::vector<std::string> names;
    for (const MQ& mq : mine) names.push_back(absl::StrCat(mq.broker, ":", mq.queue));
    Log("rebalance", "",
        absl::StrFormat("%s: %d consumer(s) [%s], %d queue(s); mine: [%s]", topic, cid_all.size(),
                        absl::StrJoin(cid_all, " "), mq_all.size(), absl::StrJoin(names, " ")));
    co_await HeartbeatAll(t);  // messageQueueChanged -> sendHeartbeatToAllBrokerWithLock
  }
  co_return mine == WorkingQueues(topic);
}

Task<bool> ConsumerClient::UpdateProcessQueueTable(SimThread& t, std::string topic,
                                                    std::set<MQ> mqs) {
  bool changed = false;
  const int64_t now = ctx_.now_ms();
  std::vector<std::pair<MQ, PQPtr>> entries(process_queue_table_.begin(),
                                            process_queue_table_.end());
  for (auto& [mq, pq] : entries) {
    if (mq.topic != topic) continue;
    bool remove = false;
    if (!mqs.count(mq)) {
      remove = true;
    } else if (now - pq->last_pull_ms > kPullExpiredMs) {
      Log("pull_expired", "", mq.ToString() + ": no pull for 120 s, dropped and recreated");
      remove = true;
    }
    if (!remove) continue;
    pq->dropped = true;
    if (co_await RemoveUnnecessaryMessageQueue(t, mq, pq)) {
      process_queue_table_.erase(mq);
      changed = true;
      Log("queue_dropped", "", mq.ToString());
    }
    if (dead_) co_return changed;
  }
  std::vector<PullPtr> pulls;
  for (const MQ& mq : mqs) {
    if (process_queue_table_.count(mq)) continue;
    if (orderly_ && clustering_) {
      bool locked = co_await LockOne(t, mq);
      if (dead_) co_return changed;
      if (!locked) {
        Log("rebalance", "", "doRebalance, add a new mq failed, " + mq.ToString() +
                                 ", because lock failed");
        continue;
      }
    }
    offset_table_.erase(mq);  // removeDirtyOffset
    auto pq = std::make_shared<ProcessQueue>();
    pq->last_pull_ms = ctx_.now_ms();
    int64_t next = co_await ComputePullFromWhere(t, mq);
    if (dead_) co_return changed;
    if (next < 0) {
      Log("rebalance", "", "doRebalance, add new mq failed, " + mq.ToString());
      continue;
    }
    if (orderly_ && clustering_) {
      pq->locked = true;
      pq->last_lock_ms = ctx_.now_ms();
    }
    if (process_queue_table_.emplace(mq, pq).second) {
      auto pr = std::make_shared<PullRequest>();
      pr->mq = mq;
      pr->pq = pq;
      pr->next_offset = next;
      pulls.push_back(pr);
      changed = true;
      Log("queue_added", "", absl::StrFormat("%s from offset %d", mq.ToString(), next));
    }
  }
  for (PullPtr& pr : pulls) ExecutePullRequestImmediately(pr);
  co_return changed;
}

Task<bool> ConsumerClient::RemoveUnnecessaryMessageQueue(SimThread& t, MQ mq, PQPtr pq) {
  // RebalancePushImpl.removeUnnecessaryMessageQueue: push the offset (oneway), forget it; an
  // orderly clustering consumer also unlocks (after 20 s while messages are cached).
  co_await PersistOne(t, mq);
  offset_table_.erase(mq);
  if (orderly_ && clustering_ && !dead_) {
    if (pq->MsgCount() > 0) {
      consume_scheduled_.Schedule(SimDuration::Millis(kUnlockDelayMs),
                                  [this, mq](SimThread& ct) { return Unlock(ct, mq); });
    } else {
      co_await Unlock(t, mq);
    }
  }
  co_return true;
}

Task<int64_t> ConsumerClient::ComputePullFromWhere(SimThread& t, MQ mq) {
  // CONSUME_FROM_LAST_OFFSET [RPI@4.9.3].
  int64_t last = co_await ReadOffsetFromStore(t, mq);
  if (last >= 0) co_return last;
  if (last != -1) co_return -1;
  if (IsRetryTopic(mq.topic)) co_return 0;
  std::optional<int64_t> max = co_await MaxOffset(t, mq);
  co_return max.value_or(-1);
}

// ---- Offsets --------------------------------------------------------------------------------

void ConsumerClient::UpdateOffset(const MQ& mq, int64_t offset, bool increase_only) {
  auto [it, inserted] = offset_table_.emplace(mq, offset);
  if (inserted) return;
  if (increase_only) {
    it->second = std::max(it->second, offset);
  } else {
    it->second = offset;
  }
}

Task<int64_t> ConsumerClient::ReadOffsetFromStore(SimThread& t, MQ mq) {
  if (!clustering_) {
    // LocalFileOffsetStore: the file, else -1.
    auto it = local_file_->find(mq);
    if (it == local_file_->end()) co_return -1;
    UpdateOffset(mq, it->second, false);
    co_return it->second;
  }
  // RemoteBrokerOffsetStore.fetchConsumeOffsetFromBroker.
  std::optional<std::string> addr = co_await FindAddrOrUpdate(t, mq);
  if (!addr || dead_) co_return -2;
  Try<RemotingCommand> r = co_await remoting_.InvokeSync(
      t, &*addr, QueueRequest(Type::kQueryConsumerOffset, mq), ctx_.settings.mq_client_api_timeout.floor_ms());
  if (!r.ok()) co_return -2;
  if (r.value().code != code::kSuccess) co_return -1;  // QUERY_NOT_FOUND included
  int64_t offset = std::static_pointer_cast<const ConsumerResponse>(r.value().body)->offset;
  UpdateOffset(mq, offset, false);
  co_return offset;
}

Task<std::optional<int64_t>> ConsumerClient::MaxOffset(SimThread& t, MQ mq) {
  std::optional<std::string> addr = co_await FindAddrOrUpdate(t, mq);
  if (!addr || dead_) co_return std::nullopt;
  Try<RemotingCommand> r = co_await remoting_.InvokeSync(
      t, &*addr, QueueRequest(Type::kGetMaxOffset, mq), ctx_.settings.mq_client_api_timeout.floor_ms());
  if (!r.ok() || r.value().code != code::kSuccess) co_return std::nullopt;
  co_return std::static_pointer_cast<const ConsumerResponse>(r.value().body)->offset;
}

Task<void> ConsumerClient::PersistAll(SimThread& t) {
  if (dead_) co_return;
  std::set<MQ> mqs;
  for (const auto& [mq, pq] : process_queue_table_) mqs.insert(mq);
  if (!clustering_) {
    for (const auto& [mq, offset] : offset_table_) {
      if (mqs.count(mq)) (*local_file_)[mq] = offset;
    }
    co_return;
  }
  std::vector<std::pair<MQ, int64_t>> todo;
  for (auto it = offset_table_.begin(); it != offset_table_.end();) {
    if (mqs.count(it->first)) {
      todo.push_back(*it);
      ++it;
    } else {
      it = offset_table_.erase(it);  // unused: removed
    }
  }
  for (const auto& [mq, offset] : todo) {
    co_await UpdateConsumeOffsetToBroker(t, mq, offset);
    if (dead_) co_return;
  }
}

Task<void> ConsumerClient::PersistOne(SimThread& t, MQ mq) {
  auto it = offset_table_.find(mq);
  if (it == offset_table_.end()) co_return;
  if (!clustering_) {
    (*local_file_)[mq] = it->second;
    co_return;
  }
  co_await UpdateConsumeOffsetToBroker(t, mq, it->second);
}

Task<void> ConsumerClient::UpdateConsumeOffsetToBroker(SimThread& t, MQ mq, int64_t offset) {
  std::optional<std::string> addr = co_await FindAddrOrUpdate(t, mq);
  if (!addr || dead_) co_return;
  co_await remoting_.InvokeOneway(t, &*addr, QueueRequest(Type::kUpdateConsumerOffset, mq, offset),
                                  5000);
}

// ---- PullMessageService ----------------------------------------------------------------------

void ConsumerClient::ExecutePullRequestImmediately(PullPtr pr) {
  if (dead_) return;
  pull_queue_.push_back(std::move(pr));
  if (pull_latch_ && !pull_latch_->released()) pull_latch_->CountDown();
}

void ConsumerClient::ExecutePullRequestLater(PullPtr pr, SimDuration delay) {
  if (dead_) return;
  env_.sched.ScheduleAfter(delay, [this, pr] { ExecutePullRequestImmediately(pr); });
}

Task<void> ConsumerClient::PullService(SimThread& t) {
  for (;;) {
    while (pull_queue_.empty()) {
      auto latch = std::make_shared<core::Latch>(ctx_.sched, 1);
      pull_latch_ = latch;
      co_await latch->Wait();
      pull_latch_.reset();
      if (dead_) co_return;
    }
    if (dead_) co_return;
    PullPtr pr = pull_queue_.front();
    pull_queue_.pop_front();
    co_await PullMessage(t, pr);
    if (dead_) co_return;
  }
}

Task<void> ConsumerClient::PullMessage(SimThread& t, PullPtr pr) {
  PQPtr pq = pr->pq;
  if (pq->dropped) co_return;
  pq->last_pull_ms = ctx_.now_ms();
  const SimDuration exception_delay = settings_.pull_time_delay_mills_when_exception;
  if (pq->MsgCount() > settings_.pull_threshold_for_queue) {
    ExecutePullRequestLater(pr, SimDuration::Millis(kFlowControlDelayMs));
    co_return;
  }
  if (!orderly_) {
    if (pq->MaxSpan() > settings_.consume_concurrently_max_span) {
      ExecutePullRequestLater(pr, SimDuration::Millis(kFlowControlDelayMs));
      co_return;
    }
  } else if (clustering_) {
    if (!pq->locked) {
      ExecutePullRequestLater(pr, exception_delay);
      co_return;
    }
    if (!pr->previously_locked) {
      int64_t offset = co_await ComputePullFromWhere(t, pr->mq);
      if (dead_) co_return;
      if (offset < 0) {
        ExecutePullRequestLater(pr, exception_delay);
        co_return;
      }
      pr->previously_locked = true;
      pr->next_offset = offset;
    }
  }
  // PullAPIWrapper.pullKernelImpl: the master of the queue's broker.
  std::optional<std::string> addr = co_await FindAddrOrUpdate(t, pr->mq);
  if (dead_) co_return;
  if (!addr) {
    ExecutePullRequestLater(pr, exception_delay);
    co_return;
  }
  auto body = NewRequest();
  body->topic = pr->mq.topic;
  body->queue_id = pr->mq.queue;
  body->offset = pr->next_offset;
  body->max_msgs = settings_.pull_batch_size;
  body->suspend_timeout_ms = kBrokerSuspendMaxMs;
  if (clustering_) {
    auto it = offset_table_.find(pr->mq);
    if (it != offset_table_.end() && it->second > 0) body->commit_offset = it->second;
  }
  RemotingCommand req;
  req.type = Type::kPullMessage;
  req.consumer = body;
  ResultCallback cb = [this, pr](SimThread& ct, Try<RemotingCommand> r) {
    return OnPullResult(ct, pr, std::move(r));
  };
  TryVoid sent = co_await InvokeAsync(t, *addr, std::move(req), kPullTimeoutMs, std::move(cb));
  if (!sent.ok() && !dead_) {
    Log("pull_failed", "", pr->mq.ToString() + ": " + sent.ex()->Describe());
    ExecutePullRequestLater(pr, exception_delay);
  }
}

Task<void> ConsumerClient::OnPullResult(SimThread& t, PullPtr pr, Try<RemotingCommand> r) {
  if (dead_) co_return;
  const SimDuration exception_delay = settings_.pull_time_delay_mills_when_exception;
  if (!r.ok()) {
    Log("pull_failed", "", pr->mq.ToString() + ": " + r.ex()->Describe());
    ExecutePullRequestLater(pr, exception_delay);
    co_return;
  }
  const RemotingCommand& resp = r.value();
  auto body = std::static_pointer_cast<const ConsumerResponse>(resp.body);
  PullStatus status;
  switch (resp.code) {
    case code::kSuccess: status = PullStatus::kFound; break;
    case code::kPullNotFound: status = PullStatus::kNoNewMsg; break;
    case code::kPullOffsetMoved: status = PullStatus::kOffsetIllegal; break;
    default:
      Log("pull_failed", "", pr->mq.ToString() + ": " + code::Name(resp.code) + " " + resp.remark);
      ExecutePullRequestLater(pr, exception_delay);
      co_return;
  }
  PQPtr pq = pr->pq;
  if (status == PullStatus::kFound) {
    pr->next_offset = body->next_begin_offset;
    if (body->msgs.empty()) {
      ExecutePullRequestImmediately(pr);
      co_return;
    }
    std::vector<MsgPtr> msgs;
    for (const StoredPtr& s : body->msgs) {
      auto m = std::make_shared<ClientMessage>();
      m->stored = s;
      m->topic = s->topic;
      m->reconsume_times = s->reconsume_times;
      m->consume_start_ms = s->consume_start_ms;
      m->mq = pr->mq;
      msgs.push_back(std::move(m));
    }
    Log("pulled", "",
        absl::StrFormat("%s: %d message(s) at offsets %d..%d", pr->mq.ToString(), msgs.size(),
                        msgs.front()->queue_offset(), msgs.back()->queue_offset()));
    bool dispatch = pq->PutMessage(msgs);
    SubmitConsumeRequest(std::move(msgs), pq, pr->mq, dispatch);
    if (settings_.pull_interval > SimDuration::Zero()) {
      ExecutePullRequestLater(pr, settings_.pull_interval);
    } else {
      ExecutePullRequestImmediately(pr);
    }
    co_return;
  }
  if (status == PullStatus::kNoNewMsg || status == PullStatus::kNoMatchedMsg) {
    pr->next_offset = body->next_begin_offset;
    if (pq->MsgCount() == 0) UpdateOffset(pr->mq, pr->next_offset, true);  // correctTagsOffset
    ExecutePullRequestImmediately(pr);
    co_return;
  }
  // OFFSET_ILLEGAL: drop the queue, fix the offset 10 s later.
  pr->next_offset = body->next_begin_offset;
  pq->dropped = true;
  consume_scheduled_.Schedule(SimDuration::Millis(kOffsetIllegalFixMs),
                              [this, pr](SimThread& ct) -> Task<void> {
                                UpdateOffset(pr->mq, pr->next_offset, false);
                                process_queue_table_.erase(pr->mq);
                                return PersistOne(ct, pr->mq);
                              });
  (void)t;
}

// ---- Consumption -----------------------------------------------------------------------------

void ConsumerClient::SubmitConsumeRequest(std::vector<MsgPtr> msgs, PQPtr pq, MQ mq,
                                          bool dispatch) {
  if (dead_) return;
  if (orderly_) {
    if (dispatch) {
      consume_executor_.Submit(
          [this, pq, mq](SimThread& t) { return ConsumeOrderly(t, pq, mq); });
    }
    return;
  }
  const size_t batch = static_cast<size_t>(settings_.consume_message_batch_max_size);
  for (size_t i = 0; i < msgs.size(); i += batch) {
    std::vector<MsgPtr> part(msgs.begin() + static_cast<std::ptrdiff_t>(i),
                             msgs.begin() + static_cast<std::ptrdiff_t>(std::min(i + batch, msgs.size())));
    consume_executor_.Submit([this, part, pq, mq](SimThread& t) {
      return ConsumeConcurrently(t, part, pq, mq);
    });
  }
}

void ConsumerClient::ResetRetryTopic(const std::vector<MsgPtr>& msgs) const {
  // resetRetryAndNamespace: a %RETRY%<group> message gets its RETRY_TOPIC back.
  const std::string group_topic = RetryTopic(spec_.group);
  for (const MsgPtr& m : msgs) {
    if (!m->stored->retry_topic.empty() && m->topic == group_topic) m->topic = m->stored->retry_topic;
  }
}

Task<ConsumerClient::ListenerResult> ConsumerClient::CallListener(SimThread& t,
                                                                  const std::vector<MsgPtr>& msgs,
                                                                  const MQ& mq) {
  const ConsumerBehaviour& b = spec_.behaviour;
  const std::string consumer_key = clustering_ ? "" : ctx_.id;
  bool first = false, fail_first = false;
  std::vector<size_t> slots;
  const SimTime begin = ctx_.sched.now();
  for (const MsgPtr& m : msgs) {
    int32_t k = env_.ledger.PriorDeliveries(m->stored->index, spec_.group, consumer_key);
    first = first || k == 0;
    fail_first = fail_first || k < b.fail_first;
    DeliveryRecord d;
    d.t = begin;
    d.group = spec_.group;
    d.consumer = ctx_.id;
    d.topic = mq.topic;
    d.broker = mq.broker;
    d.queue = mq.queue;
    d.queue_offset = m->queue_offset();
    d.reconsume_times = m->reconsume_times;
    d.thread = t.name();
    slots.push_back(env_.ledger.Delivered(m->stored->index, std::move(d)));
  }
  // Draws in a fixed order whatever the outcome, so one call uses the same numbers every run.
  bool throws = b.throw_ratio && listener_rng_.Chance(b.throw_ratio->num, b.throw_ratio->den);
  bool returns_null =
      b.return_null_ratio && listener_rng_.Chance(b.return_null_ratio->num, b.return_null_ratio->den);
  bool fails = b.fail_ratio && listener_rng_.Chance(b.fail_ratio->num, b.fail_ratio->den);
  SimDuration busy = b.process_time;
  if (b.hang && first) busy += *b.hang;
  if (busy > SimDuration::Zero()) co_await core::Sleep(ctx_.sched, busy);
  ListenerResult r;
  bool has_status = true;
  if (b.always_fail || fail_first) {
    r.result = "RECONSUME_LATER";
  } else if (throws) {
    r.result = "EXCEPTION";
    has_status = false;
  } else if (returns_null) {
    r.result = "NULL";
    has_status = false;
  } else if (fails) {
    r.result = "RECONSUME_LATER";
  } else {
    r.result = "CONSUME_SUCCESS";
    r.success = true;
  }
  // The hook's ConsumeReturnType: a status returned after consumeTimeout is TIME_OUT (the status
  // itself is unchanged).
  if (has_status && ctx_.now_ms() - begin.java_ms() >= settings_.consume_timeout.floor_ms()) {
    r.result = "TIMEOUT";
  }
  if (!dead_) {
    for (size_t i = 0; i < msgs.size(); ++i) {
      env_.ledger.DeliveryDone(msgs[i]->stored->index, slots[i], ctx_.sched.now(), r.result,
                               r.success);
    }
  }
  co_return r;
}

// ---- ConsumeMessageConcurrentlyService ---------------------------------------------------------

Task<void> ConsumerClient::ConsumeConcurrently(SimThread& t, std::vector<MsgPtr> msgs, PQPtr pq,
                                               MQ mq) {
  if (dead_ || pq->dropped) co_return;
  co_await Step(t);
  if (dead_) co_return;
  ResetRetryTopic(msgs);
  for (const MsgPtr& m : msgs) m->consume_start_ms = ctx_.now_ms();
  for (const MsgPtr& m : msgs) {
    Log("consume", m->stored->msg_id,
        absl::StrFormat("%s offset %d, reconsumeTimes %d, thread %s", mq.ToString(),
                        m->queue_offset(), m->reconsume_times, t.name()));
  }
  ListenerResult r = co_await CallListener(t, msgs, mq);
  if (dead_) co_return;
  if (!msgs.empty()) {
    Log("consume_result", msgs.front()->stored->msg_id,
        absl::StrFormat("%s -> %s", mq.ToString(), r.result));
  }
  if (pq->dropped) {
    Log("consume_result_discarded", msgs.empty() ? "" : msgs.front()->stored->msg_id,
        mq.ToString() + " was dropped while the listener ran");
    co_return;
  }
  co_await ProcessConsumeResult(t, r.success, std::move(msgs), pq, mq);
}

Task<void> ConsumerClient::ProcessConsumeResult(SimThread& t, bool success,
                                                std::vector<MsgPtr> msgs, PQPtr pq, MQ mq) {
  if (msgs.empty()) co_return;
  const int32_t ack = success ? static_cast<int32_t>(msgs.size()) - 1 : -1;
  if (!clustering_) {
    for (size_t i = static_cast<size_t>(ack + 1); i < msgs.size(); ++i) {
      Log("dropped", msgs[i]->stored->msg_id, "BROADCASTING, the message consume failed, drop it");
      env_.ledger.Dropped(msgs[i]->stored->index, spec_.group, ctx_.sched.now());
    }
  } else {
    std::vector<MsgPtr> back_failed;
    for (size_t i = static_cast<size_t>(ack + 1); i < msgs.size(); ++i) {
      MsgPtr m = msgs[i];
      if (ctx_.profile.consumer.skip_send_back_of_uncached && !pq->Contains(m)) {
        Log("send_back_skipped", m->stored->msg_id,
            "no longer in its process queue (sent back by the cleaner): skip send-back");
        continue;
      }
      bool ok = co_await SendMessageBack(t, m, spec_.behaviour.delay_level_when_next_consume,
                                         mq.broker, "send-back");
      if (dead_) co_return;
      if (!ok) {
        m->reconsume_times += 1;
        back_failed.push_back(m);
      }
    }
    if (!back_failed.empty()) {
      for (const MsgPtr& m : back_failed) {
        msgs.erase(std::remove(msgs.begin(), msgs.end(), m), msgs.end());
        Log("consume_later", m->stored->msg_id,
            absl::StrFormat("send-back failed: consume again locally in 5 s (local reconsumeTimes "
                            "%d)",
                            m->reconsume_times));
      }
      consume_scheduled_.Schedule(
          SimDuration::Millis(kResubmitDelayMs),
          [this, back_failed, pq, mq](SimThread& ct) -> Task<void> {
            (void)ct;
            SubmitConsumeRequest(back_failed, pq, mq, true);
            return []() -> Task<void> { co_return; }();
          });
    }
  }
  int64_t offset = pq->RemoveMessage(msgs);
  if (offset >= 0 && !pq->dropped) UpdateOffset(mq, offset, true);
}

Task<bool> ConsumerClient::SendMessageBack(SimThread& t, MsgPtr m, int32_t delay_level,
                                           std::optional<std::string> broker_name,
                                           std::string via) {
  const StoredMessage& s = *m->stored;
  std::optional<std::string> addr = broker_name ? MasterAddr(*broker_name) : s.store_host;
  ExPtr ex;
  if (!addr && ctx_.profile.consumer.send_back_without_master ==
                   SendBackWithoutMaster::kThrowImmediately) {
    ex = MakeEx(ExClass::kMQClientException,
                "Broker[" + broker_name.value_or("null") + "] master node does not exist");
  } else {
    auto body = NewRequest();
    body->commit_log_offset = s.commit_offset;
    body->delay_level = delay_level;
    body->origin_msg_id = s.msg_id;
    body->origin_topic = m->topic;
    body->max_reconsume_times = max_reconsume_times_;
    body->via = via;
    RemotingCommand req;
    req.type = Type::kConsumerSendMsgBack;
    req.consumer = body;
    req.msg_id = s.msg_id;
    req.opaque = remoting_.NextOpaque();
    Log("send_back", s.msg_id,
        absl::StrFormat("%s to %s (%s) level %d, reconsumeTimes %d", via,
                        broker_name.value_or("store host"),
                        addr ? *addr : std::string("null: the name-server channel"), delay_level,
                        m->reconsume_times));
    // A null address goes to the name-server channel (4.9.x), which never answers code 36.
    Try<RemotingCommand> r = co_await remoting_.InvokeSync(t, addr ? &*addr : nullptr,
                                                           std::move(req), kSendBackTimeoutMs);
    if (dead_) co_return false;
    if (r.ok() && r.value().code == code::kSuccess) co_return true;
    ex = r.ok() ? MakeEx(ExClass::kMQBrokerException,
                         absl::StrFormat("CODE: %d  DESC: %s", r.value().code, r.value().remark.str()),
                         nullptr, r.value().code)
                : r.ex();
  }
  Log("send_back_failed", s.msg_id, ex->Describe() + ": fallback through the inner producer");
  co_return co_await SendBackAsNormalMessage(t, m, "fallback");
}

Task<bool> ConsumerClient::SendBackAsNormalMessage(SimThread& t, MsgPtr m, std::string via) {
  // The catch block of sendMessageBack: a new %RETRY%<group> message through the instance's
  // default producer, DELAY 3 + local reconsumeTimes whatever level was asked (§2.4 step 3).
  const StoredMessage& s = *m->stored;
  auto props = std::make_shared<RetrySendProps>();
  ConsumerRequest& b = props->base;
  b.group = spec_.group;
  b.client_id = ctx_.id;
  b.retry_send = true;
  b.consumed = m->stored;
  b.retry_topic_prop = m->topic;
  // ORIGIN_MESSAGE_ID is set, then the whole property map is replaced by the consumed one's:
  // kept only if the consumed message already had one (§7.8).
  b.origin_msg_id_prop = s.origin_msg_id;
  b.delay_prop = 3 + m->reconsume_times;
  b.header_reconsume_times = m->reconsume_times + 1;
  b.header_max_reconsume_times = max_reconsume_times_;
  b.prop_reconsume_time = m->reconsume_times + 1;
  b.prop_max_reconsume_times = max_reconsume_times_;
  b.consume_start_ms = m->consume_start_ms;
  b.via = via;
  co_return co_await SendThroughInnerProducer(t, m, props);
}

Task<void> ConsumerClient::CleanExpireMsg(SimThread& t) {
  if (dead_ || cleaner_dead_) co_return;
  const int64_t timeout_ms = settings_.consume_timeout.floor_ms();
  std::vector<std::pair<MQ, PQPtr>> pqs(process_queue_table_.begin(), process_queue_table_.end());
  for (auto& [mq, pq] : pqs) {
    // ProcessQueue.cleanExpiredMsg.
    const size_t loop = std::min<size_t>(pq->msgs.size(), kCleanRounds);
    for (size_t i = 0; i < loop; ++i) {
      if (pq->msgs.empty()) break;
      MsgPtr msg = pq->msgs.begin()->second;
      if (!msg->consume_start_ms) {
        if (ctx_.profile.consumer.cleaner_dies_on_missing_start_time) {
          // Long.parseLong(null) throws out of the timer task: scheduleAtFixedRate stops.
          cleaner_dead_ = true;
          cleaner_.Shutdown();
          Log("cleaner_died", msg->stored->msg_id,
              absl::StrFormat("%s offset %d has no CONSUME_START_TIME (waiting for a consume "
                              "thread): NumberFormatException cancels the cleaner for good",
                              mq.ToString(), msg->queue_offset()));
          co_return;
        }
        break;
      }
      if (ctx_.now_ms() - *msg->consume_start_ms <= timeout_ms) break;
      Log("consume_timeout", msg->stored->msg_id,
          absl::StrFormat("%s offset %d started %d ms ago: sendMessageBack(msg, 3)",
                          mq.ToString(), msg->queue_offset(),
                          ctx_.now_ms() - *msg->consume_start_ms));
      std::optional<std::string> broker;
      if (ctx_.profile.consumer.cleaner_target == CleanerSendBackTarget::kPulledBrokerMaster) {
        broker = msg->mq.broker;
      }
      bool ok = co_await SendMessageBack(t, msg, 3, broker, "cleaner");
      if (dead_) co_return;
      if (ok && !pq->msgs.empty() && pq->msgs.begin()->first == msg->queue_offset()) {
        pq->RemoveMessage({msg});
      }
    }
  }
}

Task<bool> ConsumerClient::SendThroughInnerProducer(SimThread& t, MsgPtr m,
                                                    std::shared_ptr<RetrySendProps> props) {
  const StoredMessage& s = *m->stored;
  Message msg;
  msg.id = s.msg_id;  // UNIQ_KEY is copied with the properties
  msg.topic = RetryTopic(spec_.group);
  msg.body_size = s.body_size;
  msg.retry = props;
  msg.index = inner_recorder_.NewMessage(msg.id.str(), kClientInnerProducerGroup, msg.topic.str(),
                                         SendMode::kSync, ctx_.sched.now());
  const int64_t index = msg.index;
  Log("inner_send", s.msg_id,
      absl::StrFormat("%s: %s copy through %s, DELAY %d, RECONSUME_TIME %s", props->base.via,
                      msg.topic, kClientInnerProducerGroup, props->base.delay_prop,
                      props->base.header_reconsume_times
                          ? absl::StrCat(*props->base.header_reconsume_times)
                          : "null"));
  co_await inner_->SendSync(t, std::move(msg));
  const MessageRecord& rec = inner_recorder_.message(index);
  std::vector<std::string> chain;
  for (const AttemptRecord& a : rec.attempts) {
    chain.push_back(absl::StrCat(a.broker, ":", a.queue, " ", a.result.empty() ? "pending" : a.result));
  }
  const bool ok = rec.outcome == Outcome::kOk;
  Log(ok ? "inner_send_ok" : "inner_send_failed", s.msg_id,
      absl::StrCat(props->base.via, " attempts: ", absl::StrJoin(chain, " -> "),
                   ok ? "" : absl::StrCat("; ", rec.error ? rec.error->type + ": " + rec.error->message
                                                          : std::string("no result"))));
  co_return ok;
}

// ---- ConsumeMessageOrderlyService [CMOS@4.9.3] -------------------------------------------------

core::Semaphore& ConsumerClient::MessageQueueLock(const MQ& mq) {
  std::unique_ptr<core::Semaphore>& s = mq_locks_[mq];
  if (!s) s = std::make_unique<core::Semaphore>(ctx_.sched, 1);
  return *s;
}

Task<void> ConsumerClient::ConsumeOrderly(SimThread& t, PQPtr pq, MQ mq) {
  if (dead_ || pq->dropped) co_return;
  // synchronized (messageQueueLock.fetchLockObject(mq))
  core::Semaphore& obj_lock = MessageQueueLock(mq);
  co_await obj_lock.TryAcquire(SimDuration::Seconds(100000000));
  struct Unlocker {
    core::Semaphore& s;
    ~Unlocker() { s.Release(); }
  } unlocker{obj_lock};
  if (dead_) co_return;
  const int64_t begin = ctx_.now_ms();
  if (clustering_ && !(pq->locked && !pq->LockExpired(ctx_.now_ms()))) {
    if (!pq->dropped) TryLockLaterAndReconsume(pq, mq, 100);
    co_return;
  }
  const int32_t batch = settings_.consume_message_batch_max_size;
  for (bool more = true; more;) {
    if (pq->dropped) break;
    if (clustering_ && (!pq->locked || pq->LockExpired(ctx_.now_ms()))) {
      TryLockLaterAndReconsume(pq, mq, 10);
      break;
    }
    if (ctx_.now_ms() - begin > kMaxTimeConsumeContinuouslyMs) {
      SubmitOrderlyLater(pq, mq, 10);
      break;
    }
    std::vector<MsgPtr> msgs = pq->TakeMessages(batch);
    ResetRetryTopic(msgs);
    if (msgs.empty()) break;
    co_await Step(t);
    if (dead_) co_return;
    for (const MsgPtr& m : msgs) {
      Log("consume", m->stored->msg_id,
          absl::StrFormat("%s offset %d, reconsumeTimes %d, thread %s (orderly)", mq.ToString(),
                          m->queue_offset(), m->reconsume_times, t.name()));
    }
    ListenerResult r = co_await CallListener(t, msgs, mq);
    if (dead_) co_return;
    Log("consume_result", msgs.front()->stored->msg_id,
        absl::StrFormat("%s -> %s", mq.ToString(),
                        r.success ? std::string("SUCCESS") : "SUSPEND_CURRENT_QUEUE_A_MOMENT (" +
                                                                  r.result + ")"));
    more = co_await ProcessOrderlyResult(t, std::move(msgs), r.success, pq, mq);
    if (dead_) co_return;
  }
}

Task<bool> ConsumerClient::ProcessOrderlyResult(SimThread& t, std::vector<MsgPtr> msgs,
                                                bool success, PQPtr pq, MQ mq) {
  int64_t commit = -1;
  bool more = true;
  if (success) {
    commit = pq->Commit();
  } else if (co_await CheckReconsumeTimes(t, msgs)) {
    if (dead_) co_return false;
    pq->MakeMessageToConsumeAgain(msgs);
    SubmitOrderlyLater(pq, mq, settings_.suspend_current_queue_time_millis.floor_ms());
    more = false;
  } else {
    commit = pq->Commit();
  }
  if (commit >= 0 && !pq->dropped) UpdateOffset(mq, commit, false);
  co_return more;
}

Task<bool> ConsumerClient::CheckReconsumeTimes(SimThread& t, std::vector<MsgPtr> msgs) {
  bool suspend = false;
  for (const MsgPtr& m : msgs) {
    if (m->reconsume_times >= max_reconsume_times_) {
      bool sent = co_await SendOrderlyCopy(t, m);
      if (dead_) co_return true;
      if (!sent) {
        suspend = true;
        m->reconsume_times += 1;
      }
    } else {
      suspend = true;
      m->reconsume_times += 1;
    }
  }
  co_return suspend;
}

Task<bool> ConsumerClient::SendOrderlyCopy(SimThread& t, MsgPtr m) {
  // ConsumeMessageOrderlyService.sendMessageBack: RECONSUME_TIME r (5.x: r + 1), DELAY 3 + r.
  const StoredMessage& s = *m->stored;
  const ConsumerDecisions& d = ctx_.profile.consumer;
  const int32_t r = m->reconsume_times;
  auto props = std::make_shared<RetrySendProps>();
  ConsumerRequest& b = props->base;
  b.group = spec_.group;
  b.client_id = ctx_.id;
  b.retry_send = true;
  b.consumed = m->stored;
  b.retry_topic_prop = m->topic;
  // 4.9.0/4.9.3 set ORIGIN_MESSAGE_ID and then replace the property map (lost unless the consumed
  // message had one); 4.9.4+ copy the map first and keep it.
  b.origin_msg_id_prop = d.orderly_copy_keeps_origin_msg_id && s.origin_msg_id.empty()
                             ? s.msg_id
                             : s.origin_msg_id;
  b.delay_prop = 3 + r;
  const int32_t reconsume_prop = d.orderly_copy_reconsume_time_plus_one ? r + 1 : r;
  b.header_reconsume_times = reconsume_prop;
  b.header_max_reconsume_times = max_reconsume_times_;
  b.prop_reconsume_time = reconsume_prop;
  b.prop_max_reconsume_times = max_reconsume_times_;
  b.consume_start_ms = m->consume_start_ms;
  b.via = "orderly";
  co_return co_await SendThroughInnerProducer(t, m, props);
}

void ConsumerClient::SubmitOrderlyLater(PQPtr pq, MQ mq, int64_t suspend_ms) {
  if (dead_) return;
  suspend_ms = std::clamp<int64_t>(suspend_ms, 10, 30000);
  consume_scheduled_.Schedule(SimDuration::Millis(suspend_ms),
                              [this, pq, mq](SimThread& ct) -> Task<void> {
                                (void)ct;
                                SubmitConsumeRequest({}, pq, mq, true);
                                return []() -> Task<void> { co_return; }();
                              });
}

void ConsumerClient::TryLockLaterAndReconsume(PQPtr pq, MQ mq, int64_t delay_ms) {
  if (dead_) return;
  struct Job {
    static Task<void> Run(ConsumerClient* c, SimThread& t, PQPtr pq, MQ mq) {
      bool locked = co_await c->LockOne(t, mq);
      if (c->dead_) co_return;
      c->SubmitOrderlyLater(pq, mq, locked ? 10 : 3000);
    }
  };
  consume_scheduled_.Schedule(SimDuration::Millis(delay_ms),
                              [this, pq, mq](SimThread& ct) { return Job::Run(this, ct, pq, mq); });
}

Task<bool> ConsumerClient::LockOne(SimThread& t, MQ mq) {
  std::optional<std::string> addr = MasterAddr(mq.broker);
  if (!addr || dead_) co_return false;
  auto body = NewRequest();
  body->queues.push_back({mq.topic, mq.queue});
  RemotingCommand req;
  req.type = Type::kLockBatchMq;
  req.consumer = body;
  req.opaque = remoting_.NextOpaque();
  Try<RemotingCommand> r = co_await remoting_.InvokeSync(t, &*addr, std::move(req), kLockTimeoutMs);
  if (dead_ || !r.ok() || r.value().code != code::kSuccess) co_return false;
  auto resp = std::static_pointer_cast<const ConsumerResponse>(r.value().body);
  bool locked = !resp->locked.empty();
  auto it = process_queue_table_.find(mq);
  if (locked && it != process_queue_table_.end()) {
    it->second->locked = true;
    it->second->last_lock_ms = ctx_.now_ms();
  }
  co_return locked;
}

Task<void> ConsumerClient::LockAll(SimThread& t) {
  if (dead_) co_return;
  std::map<std::string, std::vector<MQ>> by_broker;
  for (const auto& [mq, pq] : process_queue_table_) by_broker[mq.broker].push_back(mq);
  for (const auto& [broker, mqs] : by_broker) {
    std::optional<std::string> addr = MasterAddr(broker);
    if (!addr) continue;
    auto body = NewRequest();
    for (const MQ& mq : mqs) body->queues.push_back({mq.topic, mq.queue});
    RemotingCommand req;
    req.type = Type::kLockBatchMq;
    req.consumer = body;
    req.opaque = remoting_.NextOpaque();
    Try<RemotingCommand> r =
        co_await remoting_.InvokeSync(t, &*addr, std::move(req), kLockTimeoutMs);
    if (dead_) co_return;
    if (!r.ok() || r.value().code != code::kSuccess) continue;
    auto resp = std::static_pointer_cast<const ConsumerResponse>(r.value().body);
    std::set<std::pair<std::string, int32_t>> locked(resp->locked.begin(), resp->locked.end());
    for (const MQ& mq : mqs) {
      auto it = process_queue_table_.find(mq);
      if (it == process_queue_table_.end()) continue;
      if (locked.count({mq.topic, mq.queue})) {
        it->second->locked = true;
        it->second->last_lock_ms = ctx_.now_ms();
      } else {
        it->second->locked = false;
      }
    }
  }
}

Task<void> ConsumerClient::Unlock(SimThread& t, MQ mq) {
  std::optional<std::string> addr = MasterAddr(mq.broker);
  if (!addr || dead_) co_return;
  auto body = NewRequest();
  body->queues.push_back({mq.topic, mq.queue});
  RemotingCommand req;
  req.type = Type::kUnlockBatchMq;
  req.consumer = body;
  req.opaque = remoting_.NextOpaque();
  co_await remoting_.InvokeOneway(t, &*addr, std::move(req), kLockTimeoutMs);
}

}  // namespace rmqsim::sim
