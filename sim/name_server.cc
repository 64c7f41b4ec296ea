#include "sim/name_server.h"

#include "absl/strings/str_cat.h"
#include "sim/response_code.h"

namespace rmqsim::sim {

namespace {
constexpr int64_t kBrokerChannelExpiredMs = 120000;
// NettyServerConfig.serverChannelMaxIdleTimeSeconds: the server pipeline's IdleStateHandler(0, 0,
// 120) closes a channel with no read or write for 120 s.
constexpr int64_t kServerChannelMaxIdleMs = 120000;
}

NameServer::NameServer(Scheduler& sched, core::EventLog& log, Network& net,
                       const Profile& profile, std::string name, std::string addr)
    : Host(std::move(name), std::move(addr), SimDuration::Millis(1)),
      sched_(sched),
      log_(log),
      net_(net),
      profile_(profile) {}

void NameServer::StartProcess() {
  ++process_generation_;
  uint64_t gen = process_generation_;
  // scheduleAtFixedRate(scanNotActiveBroker, 5 s, 10 s) [NSCTL@4.9.x];
  // scheduleAtFixedRate(scanNotActiveBroker, 5 ms, scanNotActiveBrokerInterval = 5 s)
  // [NSCTL@5.3.3, NSCFG@5.3.3].
  const bool v5 = profile_.namesrv_scan == NamesrvScan::kFirst5msEvery5s;
  const SimDuration first = v5 ? SimDuration::Millis(5) : SimDuration::Seconds(5);
  const SimDuration period = v5 ? SimDuration::Seconds(5) : SimDuration::Seconds(10);
  struct Scan {
    static void Arm(NameServer* ns, uint64_t gen, SimTime at, SimDuration period) {
      ns->next_scan_at_ = at;
      ns->sched_.ScheduleAt(at, [ns, gen, at, period] {
        if (ns->process_generation_ != gen || !ns->process_up()) return;
        ns->ScanNotActiveBroker();
        Arm(ns, gen, at + period, period);
      });
    }
  };
  Scan::Arm(this, gen, sched_.now() + first, period);
}

void NameServer::KillProcess() {
  ++process_generation_;
  broker_addr_table_.clear();
  topic_queue_table_.clear();
  broker_live_table_.clear();
}

void NameServer::RegisterBroker(const std::string& broker_name, const std::string& broker_addr,
                                const std::vector<TopicConfig>& topics) {
  bool first = broker_live_table_.count(broker_addr) == 0;
  broker_addr_table_[broker_name] = broker_addr;
  for (const TopicConfig& t : topics) {
    topic_queue_table_[t.topic][broker_name] = QueueData{broker_name, t.queues, t.queues, t.perm};
  }
  const int64_t now_ms = sched_.now().java_ms();
  broker_live_table_[broker_addr] = now_ms;
  broker_heartbeat_timeout_[broker_addr] = kBrokerChannelExpiredMs;
  // The registration is the only traffic on the broker's channel, so 120 s without another one
  // makes the channel all-idle: NettyConnectManageHandler closes it and
  // BrokerHousekeepingService.onChannelIdle runs onChannelDestroy [NettyRemotingServer,
  // BrokerHousekeepingService @ rocketmq-all-4.9.0, 4.9.3]. For a silent broker this fires exactly
  // 120 s after its last registration, before scanNotActiveBroker (which needs last + 120 s < now
  // at a 10 s tick) would find it (rocketmq-behaviour.md §8).
  const uint64_t gen = process_generation_;
  sched_.ScheduleAfter(SimDuration::Millis(kServerChannelMaxIdleMs),
                       [this, gen, addr = std::string(broker_addr), now_ms] {
                         if (gen != process_generation_ || !process_up()) return;
                         auto it = broker_live_table_.find(addr);
                         if (it == broker_live_table_.end() || it->second != now_ms) {
                           return;  // registered again since (or already removed)
                         }
                         OnBrokerChannelDestroyed(addr, "channel idle for 120 s");
                       });
  log_.Emit([&] {
    return core::Event{sched_.now(), actor(), first ? "broker_registered" : "broker_heartbeat", "",
                       absl::StrCat(broker_name, " (", broker_addr, ") registered ",
                                    topics.size(), " topics")};
  });
}

void NameServer::RemoveBroker(const std::string& broker_addr) {
  broker_live_table_.erase(broker_addr);
  broker_heartbeat_timeout_.erase(broker_addr);
  std::string name;
  for (auto it = broker_addr_table_.begin(); it != broker_addr_table_.end(); ++it) {
    if (it->second == broker_addr) {
      name = it->first;
      broker_addr_table_.erase(it);
      break;
    }
  }
  if (name.empty()) return;
  for (auto it = topic_queue_table_.begin(); it != topic_queue_table_.end();) {
    it->second.erase(name);
    it = it->second.empty() ? topic_queue_table_.erase(it) : std::next(it);
  }
}

void NameServer::OnBrokerChannelDestroyed(const std::string& broker_addr, const std::string& why) {
  if (!process_up() || broker_live_table_.count(broker_addr) == 0) return;
  RemoveBroker(broker_addr);
  log_.Emit([&] {
    return core::Event{sched_.now(), actor(), "broker_removed", "",
                       absl::StrCat(broker_addr, " removed: ", why)};
  });
}

void NameServer::ScanNotActiveBroker() {
  int64_t now = sched_.now().java_ms();
  std::vector<std::string> expired;
  for (const auto& [addr, last] : broker_live_table_) {
    int64_t timeout = kBrokerChannelExpiredMs;
    if (profile_.namesrv_scan == NamesrvScan::kFirst5msEvery5s) {
      timeout = broker_heartbeat_timeout_[addr];  // 5.3.3: per broker
    }
    if (last + timeout < now) expired.push_back(addr);
  }
  for (const std::string& addr : expired) {
    int64_t last = broker_live_table_[addr];
    RemoveBroker(addr);
    log_.Emit([&] {
      return core::Event{sched_.now(), actor(), "broker_expired", "",
                         absl::StrCat(addr, " expired: last registration ", now - last,
                                      " ms ago (> 120000)")};
    });
  }
}

bool NameServer::PickupTopicRouteData(const std::string& topic, TopicRouteData* out) const {
  auto it = topic_queue_table_.find(topic);
  if (it == topic_queue_table_.end() || it->second.empty()) return false;
  TopicRouteData r;
  for (const auto& [broker, qd] : it->second) {
    r.queue_datas.push_back(qd);
    auto a = broker_addr_table_.find(broker);
    if (a != broker_addr_table_.end()) r.broker_datas.push_back(BrokerData{broker, {{0, a->second}}});
  }
  *out = std::move(r);
  return true;
}

void NameServer::HandleRequest(const std::shared_ptr<Channel>& ch,
                               std::shared_ptr<const RemotingCommand> packet) {
  const RemotingCommand& req = *packet;
  RemotingCommand resp;
  resp.opaque = req.opaque;
  if (req.type == RemotingCommand::Type::kGetRoute) {
    TopicRouteData route;
    if (PickupTopicRouteData(req.route_topic, &route)) {
      resp.code = code::kSuccess;
      resp.body = std::make_shared<TopicRouteData>(std::move(route));
    } else {
      resp.code = code::kTopicNotExist;
      resp.remark = "No topic route info in name server for the topic: " + req.route_topic;
    }
  } else if (profile_.namesrv_answers_unsupported) {
    // DefaultRequestProcessor@5.3.3 `default:` answers REQUEST_CODE_NOT_SUPPORTED (a SEND_MESSAGE
    // that an async retry sent to the name-server channel is SEND_MESSAGE_V2, code 310).
    resp.code = code::kRequestCodeNotSupported;
    resp.remark = " request type 310 not supported";
  } else {
    // DefaultRequestProcessor@4.9.x answers nothing for codes it does not handle (e.g. a
    // SEND_MESSAGE that an async retry sent to the name-server channel): the caller times out.
    return;
  }
  net_.SendResponse(ch, std::move(resp));
}

}  // namespace rmqsim::sim
