#include "sim/broker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/broker_consumer.h"
#include "sim/response_code.h"
#include "sim/route.h"

namespace rmqsim::sim {

namespace {
constexpr char kDefaultTopic[] = "TBW102";
constexpr int32_t kDefaultTopicQueues = 8;  // BrokerConfig.defaultTopicQueueNums
}  // namespace

Broker::Broker(Scheduler& sched, core::EventLog& log, Network& net, Recorder& recorder,
               const Profile& profile, const BrokerSpec& spec, std::string addr,
               std::map<std::string, int32_t> topics, bool auto_create_topic,
               std::vector<NameServer*> name_servers, uint64_t seed)
    : Host(spec.name, std::move(addr), spec.network_delay),
      sched_(sched),
      log_(log),
      net_(net),
      recorder_(recorder),
      profile_(profile),
      service_time_(spec.service_time),
      topics_(std::move(topics)),
      auto_create_topic_(auto_create_topic),
      name_servers_(std::move(name_servers)),
      fault_rng_(core::Rng::ForStream(seed, "broker:" + spec.name + "/faults")) {
  // With autoCreateTopicEnable the broker creates TBW102 (8 queues, inheritable) at start.
  if (auto_create_topic_) topics_[kDefaultTopic] = kDefaultTopicQueues;
}

void Broker::StartProcess() {
  uint64_t inc = incarnation();
  RegisterAll();
  // scheduleAtFixedRate(registerBrokerAll, 10 s, max(10 s, min(30 s, 60 s))) [BC@4.9.x]
  struct Reg {
    static void Arm(Broker* b, uint64_t inc, SimTime at) {
      b->sched_.ScheduleAt(at, [b, inc, at] {
        if (b->incarnation() != inc || !b->process_up()) return;
        b->RegisterAll();
        Arm(b, inc, at + SimDuration::Seconds(30));
      });
    }
  };
  Reg::Arm(this, inc, sched_.now() + SimDuration::Seconds(10));
  if (consumer_side_) consumer_side_->OnProcessStart();
}

void Broker::KillProcess() {
  if (consumer_side_) consumer_side_->OnProcessKill();
  // What the name servers see: the registration connection closes (FIN), one delay later.
  for (NameServer* ns : name_servers_) {
    if (crashed()) break;  // a silent host sends no FIN
    std::string a = addr();
    sched_.ScheduleAfter(delay(), [ns, a] {
      if (ns->process_up() && !ns->crashed()) ns->OnBrokerChannelDestroyed(a, "connection closed");
    });
  }
}

void Broker::RegisterAll() {
  if (!process_up() || crashed()) return;
  std::vector<NameServer::TopicConfig> configs;
  for (const auto& [topic, queues] : topics_) {
    int32_t perm = kPermRead | kPermWrite;
    if (topic == kDefaultTopic) perm |= kPermInherit;
    if (auto p = topic_perms_.find(topic); p != topic_perms_.end()) perm = p->second;
    configs.push_back({topic, queues, perm});
  }
  struct Registration {
    std::string name, addr;
    std::vector<NameServer::TopicConfig> configs;
  };
  auto reg = std::make_shared<Registration>(Registration{name(), addr(), std::move(configs)});
  for (NameServer* ns : name_servers_) {
    sched_.ScheduleAfter(delay(), [ns, reg] {
      if (ns->process_up() && !ns->crashed()) ns->RegisterBroker(reg->name, reg->addr, reg->configs);
    });
  }
}

Broker::Result Broker::Check(const RemotingCommand& req) {
  if (error_ && fault_rng_.Chance(error_->second.num, error_->second.den)) {
    int32_t c = error_->first;
    if (c == code::kStoreOsPageCacheBusy) {
      // PutMessageStatus.OS_PAGE_CACHE_BUSY: SYSTEM_ERROR in 4.9.x, SYSTEM_BUSY in 5.3.3
      // [SMP handlePutMessageResult @ rocketmq-all-4.9.8, 5.3.3].
      return {profile_.broker_page_cache_busy_code,
              "[PC_SYNCHRONIZED]broker busy, start flow control for a while", false};
    }
    std::string remark = c == code::kSystemBusy
                             ? "[REJECTREQUEST]system busy, start flow control for a while"
                             : "rmqsim fault: broker answers " + code::Name(c);
    return {c, remark, code::StoresMessage(c)};
  }
  auto it = topics_.find(req.topic);
  if (it == topics_.end()) {
    if (!auto_create_topic_) {
      return {code::kTopicNotExist,
              "topic[" + req.topic + "] not exist, apply first please!", false};
    }
    // createTopicInSendMessageMethod: min(defaultTopicQueueNums from the header (4), 8) queues.
    it = topics_.emplace(req.topic, std::min(4, kDefaultTopicQueues)).first;
    log_.Emit([&] {
      return core::Event{sched_.now(), actor(), "topic_created", req.msg_id,
                         absl::StrCat("auto-created topic ", req.topic.str(), " with ", it->second,
                                      " queues")};
    });
    RegisterAll();
  }
  if (req.queue_id < 0 || req.queue_id >= it->second) {
    // SYSTEM_ERROR in 4.9.x, INVALID_PARAMETER in 5.3.3 [ASMP msgCheck].
    return {profile_.broker_bad_queue_id_code,
            absl::StrFormat("request queueId[%d] is illegal, topic %s has %d queues on %s",
                            req.queue_id, req.topic, it->second, name()),
            false};
  }
  return {code::kSuccess, "", true};
}

void Broker::HandleRequest(const std::shared_ptr<Channel>& ch,
                           std::shared_ptr<const RemotingCommand> packet) {
  const RemotingCommand& req = *packet;
  if (consumer_side_ && consumer_side_->Intercepts(req)) {
    consumer_side_->HandleRequest(ch, std::move(packet));
    return;
  }
  if (req.type == RemotingCommand::Type::kHeartbeat ||
      req.type == RemotingCommand::Type::kGetMaxOffset) {
    RemotingCommand resp;
    resp.opaque = req.opaque;
    resp.code = code::kSuccess;
    net_.SendResponse(ch, std::move(resp));
    return;
  }
  if (req.type != RemotingCommand::Type::kSendMessage) return;
  if (req.message_index >= 0) recorder_.RequestArrived(req.message_index);
  log_.Emit([&] {
    return core::Event{sched_.now(), actor(), "request_arrived", req.msg_id,
                       absl::StrFormat("send %s queue %d (attempt %d)", req.topic.str(), req.queue_id,
                                       req.attempt)};
  });
  SimDuration processing = service_time_ + slow_.value_or(SimDuration::Zero());
  uint64_t inc = incarnation();
  sched_.ScheduleAfter(processing, [this, ch, inc, packet = std::move(packet)] {
    if (incarnation() != inc || !process_up() || crashed()) return;  // died or froze meanwhile
    Complete(ch, *packet);
  });
}

void Broker::Complete(const std::shared_ptr<Channel>& ch, const RemotingCommand& req) {
  Result r = Check(req);
  if (r.store) {
    int64_t offset = queue_offsets_[req.topic.str()][req.queue_id]++;
    recorder_.Stored(req.message_index, name(), req.queue_id, sched_.now());
    if (consumer_side_) consumer_side_->OnProducerStored(req, offset);
    log_.Emit([&] {
      return core::Event{sched_.now(), actor(), "stored", req.msg_id,
                         absl::StrFormat("%s queue %d offset %d", req.topic.str(), req.queue_id, offset)};
    });
  }
  if (req.oneway) return;
  if (drop_ && fault_rng_.Chance(drop_->num, drop_->den)) {
    log_.Emit([&] {
      return core::Event{sched_.now(), actor(), "response_lost", req.msg_id,
                         "response dropped (fault drop_responses)"};
    });
    return;
  }
  RemotingCommand resp;
  resp.opaque = req.opaque;
  resp.code = r.code;
  resp.remark = r.remark;
  resp.queue_id = req.queue_id;
  resp.msg_id = req.msg_id;
  log_.Emit([&] {
    return core::Event{sched_.now(), actor(), "response_sent", req.msg_id,
                       code::Name(r.code) + (r.remark.empty() ? "" : ": " + r.remark)};
  });
  net_.SendResponse(ch, std::move(resp));
}

}  // namespace rmqsim::sim
