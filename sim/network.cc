#include "sim/network.h"

#include "absl/strings/str_cat.h"

namespace rmqsim::sim {

void Network::AddHost(Host* host) { hosts_[host->addr()] = host; }

Host* Network::FindHost(const std::string& addr) const {
  auto it = hosts_.find(addr);
  return it == hosts_.end() ? nullptr : it->second;
}

void Network::Connect(ClientEndpoint* client, const std::string& group, std::string actor,
                      const std::string& addr,
                      std::function<void(ConnectResult, std::shared_ptr<Channel>)> done) {
  Host* host = FindHost(addr);
  RMQ_CHECK(host != nullptr) << "connect to unknown address " << addr;
  struct Attempt {
    ClientEndpoint* client;
    Host* host;
    std::string group, actor, addr;
    std::function<void(ConnectResult, std::shared_ptr<Channel>)> done;
    bool up = false;
    uint64_t incarnation = 0;
  };
  auto a = std::make_shared<Attempt>(Attempt{client, host, group, std::move(actor), addr,
                                                   std::move(done)});
  // SYN arrives after one delay; the answer (SYN-ACK or RST) after another.
  sched_.ScheduleAfter(host->delay(), [this, a] {
    if (!a->host->ReachableFrom(a->group)) {
      log_.Emit([&] {
        return core::Event{sched_.now(), "network", "connect_lost", "",
                           absl::StrCat(a->actor, " -> ", a->host->name(), " (", a->addr,
                                        "): SYN unanswered (host silent)")};
      });
      return;
    }
    a->up = a->host->process_up();
    a->incarnation = a->host->incarnation();
    sched_.ScheduleAfter(a->host->delay(), [this, a] {
      if (!a->up) {
        a->done(ConnectResult::kRefused, nullptr);
        return;
      }
      auto ch = std::make_shared<Channel>();
      ch->id_ = next_channel_id_++;
      ch->addr_ = a->addr;
      ch->group = a->group;
      ch->client = a->client;
      ch->host = a->host;
      ch->incarnation = a->incarnation;
      ch->active_ = true;
      channels_.push_back(ch);
      a->done(ConnectResult::kConnected, ch);
    });
  });
}

bool Network::SendRequest(const std::shared_ptr<Channel>& ch,
                          std::shared_ptr<const RemotingCommand> req) {
  if (!ch->active_) return false;
  Host* host = ch->host;
  sched_.ScheduleAfter(host->delay(), [this, ch, host, packet = std::move(req)]() mutable {
    if (!host->ReachableFrom(ch->group)) return;  // vanished
    // No check of ch->active_ here: a request written before the client closed the channel
    // still reaches a live server, because TCP delivers the data ahead of the FIN (Netty runs the
    // queued write before the close). This is how a 0 ms sync retry is stored on the retry broker
    // even though 4.9.3's clientCloseSocketIfTimeout closes that channel right after the write
    // (catalog E05; NRC@rocketmq-all-4.9.3 invokeSync). A server that closed its side (killed
    // process) has a new incarnation and is handled just below.
    if (ch->incarnation != host->incarnation() || !host->process_up()) {
      // The process that owned this connection is gone: the host's kernel answers with RST.
      sched_.ScheduleAfter(host->delay(), [ch] {
        if (ch->active_) ch->client->OnPeerReset(ch);
      });
      return;
    }
    host->HandleRequest(ch, std::move(packet));
  });
  return true;
}

void Network::SendResponse(const std::shared_ptr<Channel>& ch, RemotingCommand&& resp) {
  Host* host = ch->host;
  uint64_t incarnation = host->incarnation();
  // The packet has one owner, the event (a command is too large to be captured by value).
  auto packet = std::make_unique<RemotingCommand>(std::move(resp));
  sched_.ScheduleAfter(host->delay(), [ch, host, incarnation, packet = std::move(packet)] {
    if (!host->ReachableFrom(ch->group)) return;
    if (incarnation != ch->incarnation) return;
    if (!ch->active_) return;
    ch->client->OnResponse(ch, std::move(*packet));
  });
}

void Network::CloseFromClient(const std::shared_ptr<Channel>& ch) {
  ch->active_ = false;
  ch->pipeline_destroyed_ = true;  // unregistered: its handlers are gone from now on
}

void Network::Kill(Host* host) {
  host->process_up_ = false;
  ++host->incarnation_;
  // Every open connection gets a FIN one delay later, if the path is open.
  std::vector<std::weak_ptr<Channel>> alive;
  for (auto& w : channels_) {
    std::shared_ptr<Channel> ch = w.lock();
    if (!ch) continue;
    alive.push_back(w);
    if (ch->host != host || !ch->active_) continue;
    sched_.ScheduleAfter(host->delay(), [ch, host] {
      if (!host->ReachableFrom(ch->group) || !ch->active_) return;
      ch->active_ = false;
      ch->pipeline_destroyed_ = true;
      ch->client->OnPeerClosed(ch);
    });
  }
  channels_.swap(alive);
}

void Network::Start(Host* host) {
  if (!host->process_up_) {
    host->process_up_ = true;
  }
  host->crashed_ = false;
  host->partitioned_all_ = false;
  host->partitioned_groups_.clear();
}

void Network::Crash(Host* host) { host->crashed_ = true; }

void Network::Partition(Host* host, const std::string& group) {
  if (group.empty()) {
    host->partitioned_all_ = true;
  } else {
    host->partitioned_groups_.insert(group);
  }
}

void Network::HealPath(Host* host) {
  host->crashed_ = false;
  host->partitioned_all_ = false;
  host->partitioned_groups_.clear();
}

}  // namespace rmqsim::sim
