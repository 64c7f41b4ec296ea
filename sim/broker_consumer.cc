#include "sim/broker_consumer.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "sim/broker.h"
#include "sim/response_code.h"
#include "sim/route.h"

namespace rmqsim::sim {
namespace {

using Type = RemotingCommand::Type;

constexpr int64_t kLongPollCheckMs = 5000;       // PullRequestHoldService, long polling on
constexpr int64_t kReputWakeMs = 1;              // ReputMessageService loop (~1 ms)
constexpr int64_t kChannelExpiredMs = 120000;    // ConsumerManager.CHANNEL_EXPIRED_TIMEOUT
constexpr int64_t kHousekeepingMs = 10000;       // ClientHousekeepingService period
constexpr int64_t kLockMaxLiveMs = 60000;        // RebalanceLockManager.REBALANCE_LOCK_MAX_LIVE_TIME
constexpr int64_t kOffsetFlushMs = 5000;         // flushConsumerOffsetInterval
constexpr int64_t kDelayOffsetFlushMs = 10000;   // flushDelayOffsetInterval
constexpr int64_t kScheduleFirstDelayMs = 1000;  // ScheduleMessageService.FIRST_DELAY_TIME
constexpr int64_t kSchedulePollMs = 100;         // DELAY_FOR_A_WHILE
constexpr int32_t kMaxTransferCount = 32;        // maxTransferCountOnMessageInMemory
constexpr int64_t kMaxTransferBytes = 256 * 1024;
constexpr int32_t kDefaultRetryMaxTimes = 16;    // SubscriptionGroupConfig.retryMaxTimes

const std::vector<SimDuration>& DefaultDelayLevels() {
  static const std::vector<SimDuration>* levels = [] {
    auto* v = new std::vector<SimDuration>;
    for (int64_t s : {1, 5, 10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800,
                      3600, 7200}) {
      v->push_back(SimDuration::Seconds(s));
    }
    return v;
  }();
  return *levels;
}

// MessageDecoder.createMessageId: store host (IPv4, port) and commit-log offset in hex, the id
// `msgExt.getMsgId()` has on the broker.
std::string OffsetMsgId(const std::string& store_host, int64_t commit_offset) {
  std::string out;
  std::vector<std::string> parts = absl::StrSplit(store_host, absl::ByAnyChar(".:"));
  int32_t port = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    int32_t v = 0;
    if (!absl::SimpleAtoi(parts[i], &v)) v = 0;
    if (i < 4) {
      absl::StrAppend(&out, absl::StrFormat("%02X", v & 0xff));
    } else {
      port = v;
    }
  }
  absl::StrAppend(&out, absl::StrFormat("%08X%016X", port, static_cast<uint64_t>(commit_offset)));
  return out;
}

bool IsDlqTopic(const std::string& topic) {
  return topic.rfind(std::string(kDlqGroupTopicPrefix), 0) == 0;
}

}  // namespace

BrokerConsumerSide::BrokerConsumerSide(Broker& broker, ConsumerLedger& ledger,
                                       std::vector<SimDuration> delay_levels, uint64_t seed)
    : b_(broker),
      ledger_(ledger),
      rng_(core::Rng::ForStream(seed, "broker:" + broker.name() + "/schedule-phase")) {
  if (delay_levels.empty()) delay_levels = DefaultDelayLevels();
  for (SimDuration d : delay_levels) delay_ms_.push_back(d.floor_ms());
  levels_.resize(delay_ms_.size());
}

std::string BrokerConsumerSide::actor() const { return "broker:" + b_.name(); }

void BrokerConsumerSide::Log(std::string kind, const std::string& msg, std::string text) {
  b_.log_.Emit([&] {
    return core::Event{b_.sched_.now(), actor(), std::move(kind), msg, std::move(text)};
  });
}

bool BrokerConsumerSide::Up(uint64_t inc) const {
  return b_.incarnation() == inc && b_.process_up() && !b_.crashed();
}

template <typename F>
void BrokerConsumerSide::After(SimDuration delay, F fn) {
  uint64_t inc = b_.incarnation();
  auto f = std::make_shared<F>(std::move(fn));
  b_.sched_.ScheduleAfter(delay, [this, inc, f] {
    if (Up(inc)) (*f)();
  });
}

bool BrokerConsumerSide::Intercepts(const RemotingCommand& req) const {
  switch (req.type) {
    case Type::kPullMessage:
    case Type::kConsumerSendMsgBack:
    case Type::kQueryConsumerOffset:
    case Type::kUpdateConsumerOffset:
    case Type::kGetConsumerList:
    case Type::kLockBatchMq:
    case Type::kUnlockBatchMq:
      return true;
    case Type::kHeartbeat:
    case Type::kGetMaxOffset:
    case Type::kSendMessage:
      return req.consumer != nullptr;
    case Type::kGetRoute:
      return false;
  }
  return false;
}

void BrokerConsumerSide::Respond(const std::shared_ptr<Channel>& ch, int32_t opaque, int32_t code,
                                 std::string remark, std::shared_ptr<const ConsumerResponse> body,
                                 int32_t queue_id, const std::string& msg_id, bool droppable) {
  if (droppable && b_.drop_ && b_.fault_rng_.Chance(b_.drop_->num, b_.drop_->den)) {
    Log("response_lost", msg_id, "response dropped (fault drop_responses)");
    return;
  }
  RemotingCommand resp;
  resp.opaque = opaque;
  resp.code = code;
  resp.remark = std::move(remark);
  resp.body = std::move(body);
  resp.queue_id = queue_id;
  resp.msg_id = msg_id;
  b_.net_.SendResponse(ch, std::move(resp));
}

int32_t BrokerConsumerSide::DrawError(std::string* remark) {
  if (!b_.error_ || !b_.fault_rng_.Chance(b_.error_->second.num, b_.error_->second.den)) {
    return code::kSuccess;
  }
  int32_t c = b_.error_->first;
  if (c == code::kStoreOsPageCacheBusy) {
    *remark = "[PC_SYNCHRONIZED]broker busy, start flow control for a while";
    return b_.profile_.broker_page_cache_busy_code;
  }
  *remark = c == code::kSystemBusy ? "[REJECTREQUEST]system busy, start flow control for a while"
                                   : "rmqsim fault: broker answers " + code::Name(c);
  return c;
}

void BrokerConsumerSide::HandleRequest(const std::shared_ptr<Channel>& ch,
                                       std::shared_ptr<const RemotingCommand> r) {
  SimDuration slow = b_.slow_.value_or(SimDuration::Zero());
  switch (r->type) {
    case Type::kSendMessage:
    case Type::kConsumerSendMsgBack:
      // The send thread pool: service time plus any `slow` delay, like a send.
      After(b_.service_time_ + slow, [this, ch, r] {
        if (r->type == Type::kSendMessage) {
          RetrySend(ch, *r);
        } else {
          SendBack(ch, r->opaque, *r->consumer);
        }
      });
      return;
    default:
      break;
  }
  After(slow, [this, ch, r] {
    const ConsumerRequest& b = *r->consumer;
    switch (r->type) {
      case Type::kHeartbeat:
        Heartbeat(ch, r->opaque, b);
        return;
      case Type::kPullMessage:
        Pull(ch, r->opaque, r->consumer, /*allow_suspend=*/true);
        return;
      case Type::kQueryConsumerOffset: {
        // ConsumerManageProcessor.queryConsumerOffset: the committed offset; without one, 0 while
        // the queue's min offset is 0 and its first entry is in memory (always here, §6.4).
        auto it = offsets_.find({b.group, b.topic, b.queue_id});
        auto body = std::make_shared<ConsumerResponse>();
        body->offset = it == offsets_.end() ? 0 : it->second;
        Respond(ch, r->opaque, code::kSuccess, "", body);
        return;
      }
      case Type::kUpdateConsumerOffset:
        offsets_[{b.group, b.topic, b.queue_id}] = b.offset;
        return;  // oneway
      case Type::kGetMaxOffset: {
        auto body = std::make_shared<ConsumerResponse>();
        const std::vector<StoredPtr>* q = ConsumeQueue(b.topic, b.queue_id);
        body->offset = q ? static_cast<int64_t>(q->size()) : 0;
        Respond(ch, r->opaque, code::kSuccess, "", body);
        return;
      }
      case Type::kGetConsumerList: {
        std::vector<std::string> ids = ConsumerIds(b.group);
        if (ids.empty()) {
          Respond(ch, r->opaque, code::kSystemError, "no consumer for this group, " + b.group);
          return;
        }
        auto body = std::make_shared<ConsumerResponse>();
        body->consumer_ids = std::move(ids);
        Respond(ch, r->opaque, code::kSuccess, "", body);
        return;
      }
      case Type::kLockBatchMq:
        LockBatch(ch, r->opaque, b);
        return;
      case Type::kUnlockBatchMq:
        UnlockBatch(b);
        return;
      default:
        return;
    }
  });
}

// ---- Store ---------------------------------------------------------------------------------------

std::vector<StoredPtr>& BrokerConsumerSide::Queue(const std::string& topic, int32_t queue) {
  return queues_[{topic, queue}];
}

const std::vector<StoredPtr>* BrokerConsumerSide::ConsumeQueue(const std::string& topic,
                                                               int32_t queue) const {
  auto it = queues_.find({topic, queue});
  return it == queues_.end() ? nullptr : &it->second;
}

void BrokerConsumerSide::EnsureTopic(const std::string& topic, int32_t perm) {
  // TopicConfigManager.createTopicInSendMessageBackMethod: 1 queue; a new topic makes the broker
  // register with the name servers at once (4.9.x oneway full registration, 5.3.3 incremental).
  if (b_.topics_.count(topic)) return;
  b_.topics_[topic] = 1;
  if (perm != (kPermRead | kPermWrite)) b_.topic_perms_[topic] = perm;
  Log("topic_created", "",
      absl::StrCat("created ", topic, " (1 queue, perm ", (perm & kPermRead) ? "R" : "",
                   (perm & kPermWrite) ? "W" : "", ")"));
  b_.RegisterAll();
}

StoredPtr BrokerConsumerSide::Put(StoredMessage m, int32_t route_level, const std::string& via) {
  const SimTime now = b_.sched_.now();
  m.broker = b_.name();
  if (m.store_host.empty()) m.store_host = b_.addr();
  m.store_time = now;
  m.commit_offset = static_cast<int64_t>(commit_log_.size());
  int32_t level = 0;
  if (route_level > 0) {
    // CommitLog.putMessage (4.9.x) / HookUtils (5.3.3): clamp to the max level, remember the real
    // destination, store in SCHEDULE_TOPIC_XXXX queue level - 1 with deliverTime in the tagsCode.
    level = std::min(route_level, max_delay_level());
    m.real_topic = m.topic;
    m.real_queue_id = m.queue_id;
    m.topic = std::string(kScheduleTopic);
    m.queue_id = level - 1;
    m.deliver_ms = now.java_ms() + DelayMs(level);
  }
  std::vector<StoredPtr>& q = Queue(m.topic, m.queue_id);
  m.queue_offset = static_cast<int64_t>(q.size());
  auto stored = std::make_shared<const StoredMessage>(std::move(m));
  q.push_back(stored);
  commit_log_.push_back(stored);
  const StoredMessage& s = *stored;
  if (!s.group.empty()) {
    JourneyRecord j;
    j.at = now;
    j.group = s.group;
    j.broker = b_.name();
    j.topic = s.topic;
    j.queue = s.queue_id;
    j.queue_offset = s.queue_offset;
    j.reconsume_times = s.reconsume_times;
    j.delay_level = level;
    if (level > 0) j.due = SimTime::FromNanos(s.deliver_ms * 1000000);
    j.via = via;
    j.origin_msg_id = s.origin_msg_id;
    const bool dead = IsDlqTopic(s.topic);
    ledger_.Copy(s.index, std::move(j), dead);
    Log(dead ? "dead_lettered" : level > 0 ? "scheduled" : "retry_stored", s.msg_id,
        level > 0 ? absl::StrFormat("%s: %s level %d (%d ms, due %d) for %s queue %d, "
                                    "reconsumeTimes %d",
                                    via, s.topic, level, DelayMs(level), s.deliver_ms,
                                    s.real_topic, s.real_queue_id, s.reconsume_times)
                  : absl::StrFormat("%s: %s queue %d offset %d, reconsumeTimes %d", via, s.topic,
                                    s.queue_id, s.queue_offset, s.reconsume_times));
  }
  // The reput dispatcher builds the consume-queue entry and wakes parked pulls (~1 ms, §6.2).
  QueueKey key{s.topic, s.queue_id};
  if (held_.count(key)) {
    After(SimDuration::Millis(kReputWakeMs), [this, key] { WakeHeld(key); });
  }
  if (level > 0) OnScheduleAppend(level);
  return stored;
}

void BrokerConsumerSide::OnProducerStored(const RemotingCommand& req, int64_t queue_offset) {
  StoredMessage m;
  m.index = req.message_index;
  m.msg_id = req.msg_id;
  m.topic = req.topic;
  m.queue_id = req.queue_id;
  m.body_size = req.body_size;
  StoredPtr s = Put(std::move(m), 0, "");
  RMQ_CHECK(s->queue_offset == queue_offset)
      << "consume queue " << req.topic << ":" << req.queue_id << " at " << s->queue_offset
      << ", broker offset " << queue_offset;
}

// ---- Process lifecycle -----------------------------------------------------------------------

void BrokerConsumerSide::OnProcessStart() {
  // What a restarted broker loads from disk: consumer offsets and schedule progress.
  offsets_ = persisted_offsets_;
  held_.clear();
  groups_.clear();
  locks_.clear();
  struct Periodic {
    static void Arm(BrokerConsumerSide* s, SimDuration first, SimDuration period,
                    void (BrokerConsumerSide::*fn)()) {
      s->After(first, [s, period, fn] {
        (s->*fn)();
        Arm(s, period, period, fn);
      });
    }
  };
  Periodic::Arm(this, SimDuration::Millis(kLongPollCheckMs), SimDuration::Millis(kLongPollCheckMs),
                &BrokerConsumerSide::CheckHeld);
  Periodic::Arm(this, SimDuration::Millis(kHousekeepingMs), SimDuration::Millis(kHousekeepingMs),
                &BrokerConsumerSide::ScanNotActive);
  // ConsumerOffsetManager.persist: first after 10 s, then every 5 s.
  Periodic::Arm(this, SimDuration::Seconds(10), SimDuration::Millis(kOffsetFlushMs),
                &BrokerConsumerSide::PersistOffsets);
  // ScheduleMessageService.persist: first after 10 s, then every flushDelayOffsetInterval.
  Periodic::Arm(this, SimDuration::Seconds(10), SimDuration::Millis(kDelayOffsetFlushMs),
                &BrokerConsumerSide::PersistSchedule);
  StartSchedule();
}

void BrokerConsumerSide::OnProcessKill() {
  // In-memory state dies with the process; the store, persisted offsets and persisted schedule
  // progress survive.
  held_.clear();
  groups_.clear();
  locks_.clear();
  for (Level& l : levels_) {
    l.pending = false;
    ++l.run_seq;
    l.started = false;
  }
}

// ---- Consumer manager ------------------------------------------------------------------------

void BrokerConsumerSide::Heartbeat(const std::shared_ptr<Channel>& ch, int32_t opaque,
                                   const ConsumerRequest& b) {
  // ClientManageProcessor.heartBeat: the subscription group (auto-created), %RETRY%<group> with
  // retryQueueNums = 1 (§4.1), then ConsumerManager.registerConsumer: a new channel or a changed
  // subscription notifies every member of the group.
  EnsureTopic(RetryTopic(b.group), kPermRead | kPermWrite);
  std::map<std::string, Client>& g = groups_[b.group];
  auto it = g.find(b.client_id);
  const bool added = it == g.end() || it->second.endpoint != b.endpoint;
  g[b.client_id] = Client{b.endpoint, b_.sched_.now().java_ms()};
  if (added) {
    Log("consumer_registered", "", absl::StrCat(b.client_id, " joined ", b.group, " (",
                                                g.size(), " member(s))"));
    NotifyGroup(b.group);
  }
  Respond(ch, opaque, code::kSuccess, "");
}

void BrokerConsumerSide::NotifyGroup(const std::string& group) {
  auto it = groups_.find(group);
  if (it == groups_.end()) return;
  for (const auto& [id, c] : it->second) {
    ConsumerEndpoint* ep = c.endpoint;
    Broker* broker = &b_;
    std::string g = group;
    b_.sched_.ScheduleAfter(b_.delay(), [broker, ep, g = std::move(g)] {
      // NOTIFY_CONSUMER_IDS_CHANGED, oneway over the consumer's channel.
      if (ep->alive() && broker->ReachableFrom(ep->net_group())) ep->OnConsumerIdsChanged(g);
    });
  }
}

void BrokerConsumerSide::OnClientChannelClosed(const std::string& client_id) {
  // ConsumerManager.doChannelCloseEvent: every group the channel served loses it and is notified.
  for (auto& [group, members] : groups_) {
    if (members.erase(client_id) == 0) continue;
    Log("consumer_unregistered", "", client_id + " left " + group + " (connection closed)");
    NotifyGroup(group);
  }
  for (auto& [group, locks] : locks_) {
    for (auto it = locks.begin(); it != locks.end();) {
      it = it->second.client_id == client_id ? locks.erase(it) : std::next(it);
    }
  }
  // Its parked pulls go nowhere now.
  for (auto it = held_.begin(); it != held_.end();) {
    std::vector<Held>& v = it->second;
    v.erase(std::remove_if(v.begin(), v.end(),
                           [&](const Held& h) { return h.body->client_id == client_id; }),
            v.end());
    it = v.empty() ? held_.erase(it) : std::next(it);
  }
}

void BrokerConsumerSide::ScanNotActive() {
  const int64_t now = b_.sched_.now().java_ms();
  for (auto& [group, members] : groups_) {
    bool changed = false;
    for (auto it = members.begin(); it != members.end();) {
      if (now - it->second.last_update_ms > kChannelExpiredMs) {
        Log("consumer_expired", "",
            absl::StrCat(it->first, " left ", group, ": no heartbeat for ",
                         now - it->second.last_update_ms, " ms"));
        it = members.erase(it);
        changed = true;
      } else {
        ++it;
      }
    }
    if (changed) NotifyGroup(group);
  }
}

std::vector<std::string> BrokerConsumerSide::ConsumerIds(const std::string& group) const {
  std::vector<std::string> ids;
  auto it = groups_.find(group);
  if (it == groups_.end()) return ids;
  for (const auto& [id, c] : it->second) ids.push_back(id);
  return ids;
}

// ---- Pull and long polling -------------------------------------------------------------------

void BrokerConsumerSide::Pull(const std::shared_ptr<Channel>& ch, int32_t opaque,
                              std::shared_ptr<const ConsumerRequest> b, bool allow_suspend) {
  // PullMessageProcessor.processRequest: the piggy-backed commit first (only on first processing).
  if (allow_suspend && b->commit_offset > 0) {
    offsets_[{b->group, b->topic, b->queue_id}] = b->commit_offset;
  }
  const std::vector<StoredPtr>* q = ConsumeQueue(b->topic, b->queue_id);
  const int64_t max = q ? static_cast<int64_t>(q->size()) : 0;
  auto body = std::make_shared<ConsumerResponse>();
  body->max_offset = max;
  if (b->offset < max) {
    int64_t bytes = 0;
    const int32_t limit = std::min(b->max_msgs, kMaxTransferCount);
    for (int64_t o = b->offset; o < max && static_cast<int32_t>(body->msgs.size()) < limit; ++o) {
      const StoredPtr& m = (*q)[static_cast<size_t>(o)];
      if (!body->msgs.empty() && bytes + m->body_size > kMaxTransferBytes) break;
      bytes += m->body_size;
      body->msgs.push_back(m);
    }
    body->next_begin_offset = b->offset + static_cast<int64_t>(body->msgs.size());
    Respond(ch, opaque, code::kSuccess, "FOUND", body);
    return;
  }
  body->next_begin_offset = std::min(b->offset, max);
  if (allow_suspend && b->suspend_timeout_ms > 0) {
    held_[{b->topic, b->queue_id}].push_back(Held{ch, opaque, b, b_.sched_.now().java_ms()});
    return;
  }
  Respond(ch, opaque, code::kPullNotFound, "no new message", body);
}

void BrokerConsumerSide::WakeHeld(const QueueKey& key) {
  // PullRequestHoldService.notifyMessageArriving: requests whose offset is now below the newest
  // offset are run again (without suspending).
  auto it = held_.find(key);
  if (it == held_.end()) return;
  const std::vector<StoredPtr>* q = ConsumeQueue(key.first, key.second);
  const int64_t max = q ? static_cast<int64_t>(q->size()) : 0;
  std::vector<Held> keep, wake;
  for (Held& h : it->second) (max > h.body->offset ? wake : keep).push_back(std::move(h));
  if (keep.empty()) {
    held_.erase(it);
  } else {
    it->second = std::move(keep);
  }
  for (Held& h : wake) Pull(h.ch, h.opaque, h.body, /*allow_suspend=*/false);
}

void BrokerConsumerSide::CheckHeld() {
  const int64_t now = b_.sched_.now().java_ms();
  std::vector<QueueKey> keys;
  for (const auto& [k, v] : held_) keys.push_back(k);
  for (const QueueKey& k : keys) {
    WakeHeld(k);
    auto it = held_.find(k);
    if (it == held_.end()) continue;
    std::vector<Held> keep, expired;
    for (Held& h : it->second) {
      (now >= h.suspend_ms + h.body->suspend_timeout_ms ? expired : keep).push_back(std::move(h));
    }
    if (keep.empty()) {
      held_.erase(it);
    } else {
      it->second = std::move(keep);
    }
    for (Held& h : expired) Pull(h.ch, h.opaque, h.body, /*allow_suspend=*/false);
  }
}

size_t BrokerConsumerSide::held_pulls() const {
  size_t n = 0;
  for (const auto& [k, v] : held_) n += v.size();
  return n;
}

int64_t BrokerConsumerSide::ConsumerOffset(const std::string& group, const std::string& topic,
                                           int32_t queue) const {
  auto it = offsets_.find({group, topic, queue});
  return it == offsets_.end() ? -1 : it->second;
}

// ---- CONSUMER_SEND_MSG_BACK (§4.2) -----------------------------------------------------------

void BrokerConsumerSide::SendBack(const std::shared_ptr<Channel>& ch, int32_t opaque,
                                  const ConsumerRequest& b) {
  std::string remark;
  if (int32_t c = DrawError(&remark); c != code::kSuccess) {
    Log("send_back_rejected", "", absl::StrCat(code::Name(c), " ", remark));
    Respond(ch, opaque, c, remark, nullptr, 0, "", /*droppable=*/true);
    return;
  }
  // The group config exists (autoCreateSubscriptionGroup); retryQueueNums 1.
  const std::string retry_topic = RetryTopic(b.group);
  EnsureTopic(retry_topic, kPermRead | kPermWrite);
  if (b.commit_log_offset < 0 || b.commit_log_offset >= static_cast<int64_t>(commit_log_.size())) {
    Respond(ch, opaque, code::kSystemError,
            absl::StrCat("look message by offset failed, ", b.commit_log_offset));
    return;
  }
  const StoredMessage& m = *commit_log_[static_cast<size_t>(b.commit_log_offset)];
  StoredMessage copy = m;  // body, flag, tags, born time/host, properties
  copy.group = b.group;
  copy.topic = retry_topic;
  copy.queue_id = 0;  // random % retryQueueNums (1)
  copy.real_topic.clear();
  copy.real_queue_id = -1;
  if (copy.retry_topic.empty()) copy.retry_topic = m.topic;
  copy.reconsume_times = m.reconsume_times + 1;
  if (copy.origin_msg_id.empty()) copy.origin_msg_id = OffsetMsgId(m.store_host, m.commit_offset);
  copy.store_host = m.store_host;  // msgInner.setStoreHost(msgExt.getStoreHost())
  int32_t delay = b.delay_level;
  const int32_t max = b.max_reconsume_times;  // the header (clients >= 3.4.9)
  int32_t route = 0;
  const std::string via = b.via.empty() ? std::string("send-back") : b.via;
  if (m.reconsume_times >= max || delay < 0) {
    const std::string dlq = DlqTopic(b.group);
    EnsureTopic(dlq, b_.profile_.consumer.dlq_readable ? kPermRead | kPermWrite : kPermWrite);
    copy.topic = dlq;
    copy.queue_id = 0;
    if (b_.profile_.consumer.send_back_dlq_clears_delay) {
      copy.delay_level = 0;  // msgExt.setDelayTimeLevel(0) (4.9.2+)
    } else {
      route = m.delay_level;  // 4.9.0: the leftover DELAY of the stored copy reroutes it (E22)
    }
    Log("send_back", m.msg_id,
        absl::StrFormat("%s for %s: reconsumeTimes %d >= max %d%s -> %s%s", via, b.group,
                        m.reconsume_times, max, delay < 0 ? " or level -1" : "", dlq,
                        route > 0 ? absl::StrFormat(" (leftover DELAY %d)", route) : ""));
  } else {
    if (delay == 0) delay = 3 + m.reconsume_times;
    copy.delay_level = delay;
    route = delay;
    Log("send_back", m.msg_id,
        absl::StrFormat("%s for %s: reconsumeTimes %d -> %s level %d", via, b.group,
                        m.reconsume_times, retry_topic, delay));
  }
  Put(std::move(copy), route, via);
  Respond(ch, opaque, code::kSuccess, "", nullptr, 0, m.msg_id, /*droppable=*/true);
}

// ---- A normal send to %RETRY%<group> (§4.3) --------------------------------------------------

void BrokerConsumerSide::RetrySend(const std::shared_ptr<Channel>& ch, const RemotingCommand& req) {
  const ConsumerRequest& b = *req.consumer;
  Broker::Result r = b_.Check(req);  // error fault, topic exists, queueId in range
  if (r.code != code::kSuccess && !r.store) {
    Log("retry_send_rejected", req.msg_id, code::Name(r.code) + " " + r.remark);
    Respond(ch, req.opaque, r.code, r.remark, nullptr, req.queue_id, req.msg_id, true);
    return;
  }
  const std::string group = req.topic.str().substr(kRetryGroupTopicPrefix.size());
  int32_t max = kDefaultRetryMaxTimes;
  if (b.header_max_reconsume_times) {
    max = *b.header_max_reconsume_times;
  } else if (b_.profile_.consumer.retry_send_null_max_rejected) {
    // 4.9.0: `int max = requestHeader.getMaxReconsumeTimes()` unboxes null: the processor
    // throws and the client gets SYSTEM_ERROR.
    Log("retry_send_rejected", req.msg_id,
        "SYSTEM_ERROR: handleRetryAndDLQ unboxed a null maxReconsumeTimes (no counters on a "
        "producer retry)");
    Respond(ch, req.opaque, code::kSystemError,
            "java.lang.NullPointerException (maxReconsumeTimes)", nullptr, req.queue_id,
            req.msg_id, true);
    return;
  }
  const int32_t reconsume = b.header_reconsume_times.value_or(0);
  StoredMessage m;
  m.index = b.consumed ? b.consumed->index : -1;  // the producer message's record
  m.msg_id = req.msg_id;
  m.body_size = req.body_size;
  m.group = group;
  m.topic = req.topic;
  m.queue_id = req.queue_id;
  m.reconsume_times = reconsume;
  m.retry_topic = b.retry_topic_prop;
  m.origin_msg_id = b.origin_msg_id_prop;
  m.delay_level = b.delay_prop;
  m.prop_reconsume_time = b.prop_reconsume_time;
  m.prop_max_reconsume_times = b.prop_max_reconsume_times;
  m.consume_start_ms = b.consume_start_ms;
  int32_t route = b.delay_prop;
  const ConsumerDecisions& d = b_.profile_.consumer;
  bool dead = false;
  if (d.retry_send_dlq_rule == RetrySendDlqRule::kAtLeastMaxKeepDelay) {
    // 4.9.x: the DLQ decision, then the properties (with the client's DELAY) replace the message's.
    dead = reconsume >= max;
  } else {
    const bool locked = !AllLocksExpired(group);
    dead = reconsume > max || locked;
    if (dead) {
      m.delay_level = -1;  // PROPERTY_DELAY_TIME_LEVEL "-1": stored at once
      route = 0;
    }
  }
  if (dead) {
    const std::string dlq = DlqTopic(group);
    EnsureTopic(dlq, d.dlq_readable ? kPermRead | kPermWrite : kPermWrite);
    m.topic = dlq;
    m.queue_id = 0;
  }
  Log("retry_send", req.msg_id,
      absl::StrFormat("%s copy: header reconsumeTimes %s max %s -> %s%s", b.via,
                      b.header_reconsume_times ? absl::StrCat(*b.header_reconsume_times) : "null",
                      b.header_max_reconsume_times ? absl::StrCat(*b.header_max_reconsume_times)
                                                   : "null",
                      m.topic, route > 0 ? absl::StrFormat(" via DELAY %d", route) : ""));
  const int32_t queue = m.queue_id;
  Put(std::move(m), route, b.via);
  Respond(ch, req.opaque, r.code, r.remark, nullptr, queue, req.msg_id, /*droppable=*/true);
}

// ---- Queue locks (orderly, RebalanceLockManager) ---------------------------------------------

void BrokerConsumerSide::LockBatch(const std::shared_ptr<Channel>& ch, int32_t opaque,
                                   const ConsumerRequest& b) {
  const int64_t now = b_.sched_.now().java_ms();
  std::map<QueueKey, Lock>& locks = locks_[b.group];
  auto body = std::make_shared<ConsumerResponse>();
  for (const auto& q : b.queues) {
    auto it = locks.find(q);
    if (it == locks.end() || it->second.client_id == b.client_id ||
        now - it->second.last_update_ms > kLockMaxLiveMs) {
      locks[q] = Lock{b.client_id, now};
      body->locked.push_back(q);
    }
  }
  Respond(ch, opaque, code::kSuccess, "", body);
}

void BrokerConsumerSide::UnlockBatch(const ConsumerRequest& b) {
  std::map<QueueKey, Lock>& locks = locks_[b.group];
  for (const auto& q : b.queues) {
    auto it = locks.find(q);
    if (it != locks.end() && it->second.client_id == b.client_id) locks.erase(it);
  }
}

bool BrokerConsumerSide::AllLocksExpired(const std::string& group) const {
  auto it = locks_.find(group);
  if (it == locks_.end()) return true;
  const int64_t now = b_.sched_.now().java_ms();
  for (const auto& [q, l] : it->second) {
    if (now - l.last_update_ms <= kLockMaxLiveMs) return false;
  }
  return true;
}

// ---- ScheduleMessageService (§5.3) -----------------------------------------------------------

void BrokerConsumerSide::StartSchedule() {
  const SimTime now = b_.sched_.now();
  for (size_t i = 0; i < levels_.size(); ++i) {
    Level& l = levels_[i];
    l.progress = l.persisted;
    l.table = l.persisted;
    l.started = true;
    ++l.run_seq;
    l.pending = false;
    SimTime first = now + SimDuration::Millis(kScheduleFirstDelayMs);
    if (b_.profile_.consumer.schedule_not_due == ScheduleNotDue::kPoll100ms) {
      // Where the 100 ms polls fall relative to a deliver time is not pinned by the source
      // (§8): a uniform 0-100 ms phase per level and start.
      first += SimDuration::Micros(rng_.UniformInclusive(0, kSchedulePollMs * 1000 - 1));
    }
    l.grid_base = first;
    l.last_run = first;
    ArmRun(static_cast<int32_t>(i + 1), first);
  }
}

SimTime BrokerConsumerSide::NextGridTick(const Level& l, SimTime after, bool inclusive) const {
  const int64_t period = kSchedulePollMs * 1000000;
  const SimTime base = b_.profile_.consumer.schedule_not_due == ScheduleNotDue::kPoll100ms
                           ? l.grid_base
                           : l.last_run;
  if (after < base) return base;
  int64_t k = (after - base).ns() / period;
  SimTime t = base + SimDuration::Nanos(k * period);
  if (t < after || (!inclusive && t == after)) t = t + SimDuration::Nanos(period);
  return t;
}

void BrokerConsumerSide::ArmRun(int32_t level, SimTime at) {
  Level& l = levels_[static_cast<size_t>(level - 1)];
  l.pending = true;
  uint64_t seq = ++l.run_seq;
  uint64_t inc = b_.incarnation();
  b_.sched_.ScheduleAt(at, [this, level, seq, inc] {
    Level& lv = levels_[static_cast<size_t>(level - 1)];
    if (lv.run_seq != seq || b_.incarnation() != inc || !b_.process_up()) return;
    lv.pending = false;
    RunLevel(level);
  });
}

void BrokerConsumerSide::OnScheduleAppend(int32_t level) {
  Level& l = levels_[static_cast<size_t>(level - 1)];
  if (!l.started || l.pending || !b_.process_up()) return;
  // The chain is between polls: the next poll after now finds the entry.
  ArmRun(level, NextGridTick(l, b_.sched_.now(), /*inclusive=*/false));
}

void BrokerConsumerSide::RunLevel(int32_t level) {
  Level& l = levels_[static_cast<size_t>(level - 1)];
  const ConsumerDecisions& d = b_.profile_.consumer;
  const SimTime now = b_.sched_.now();
  const int64_t now_ms = now.java_ms();
  const int64_t start = l.progress;
  l.last_run = now;
  const std::vector<StoredPtr>& q = Queue(std::string(kScheduleTopic), level - 1);
  while (l.progress < static_cast<int64_t>(q.size())) {
    StoredPtr e = q[static_cast<size_t>(l.progress)];
    int64_t due = e->deliver_ms;
    if (due > now_ms + DelayMs(level)) due = now_ms;  // correctDeliverTimestamp
    if (due - now_ms > 0) {
      if (d.schedule_not_due == ScheduleNotDue::kExactTimer) {
        // 4.9.0: timer.schedule(task(level, offset), countdown); updateOffset(level, offset).
        l.table = l.progress;
        ArmRun(level, now + SimDuration::Millis(due - now_ms));
      } else {
        // 4.9.3+: scheduleNextTimerTask(offset, 100) until a poll finds it due.
        ArmRun(level, NextGridTick(l, SimTime::FromNanos(due * 1000000), /*inclusive=*/true));
      }
      return;
    }
    RePut(e);
    ++l.progress;
    if (d.schedule_progress == ScheduleProgress::kRunStartPlusOne) {
      l.table = start + 1;  // syncDeliver: updateOffset(level, resultProcess.getNextOffset())
    } else if (d.schedule_not_due != ScheduleNotDue::kExactTimer) {
      l.table = l.progress;
    }
  }
  if (d.schedule_not_due == ScheduleNotDue::kExactTimer) l.table = l.progress;
  // The queue is drained: polls every 100 ms find nothing until OnScheduleAppend.
}

void BrokerConsumerSide::RePut(const StoredPtr& e) {
  // messageTimeup: body, flag, properties (DELAY stays in the written property string, §4.4),
  // reconsumeTimes, born/store host; topic and queue from REAL_TOPIC / REAL_QID.
  StoredMessage m = *e;
  m.topic = e->real_topic;
  m.queue_id = e->real_queue_id;
  m.deliver_ms = 0;
  Put(std::move(m), 0, "re-put");
}

int64_t BrokerConsumerSide::ScheduleTableOffset(int32_t level) const {
  return levels_[static_cast<size_t>(level - 1)].table;
}

int64_t BrokerConsumerSide::SchedulePersistedOffset(int32_t level) const {
  return levels_[static_cast<size_t>(level - 1)].persisted;
}

}  // namespace rmqsim::sim
