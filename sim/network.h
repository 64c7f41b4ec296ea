// The simulated network between client instances and server hosts (brokers, name servers).
//
// A Host is a server process at an address. Faults change what clients experience:
//  - kill: the process stops. Open connections are closed (the client sees a FIN one network
//    delay later; 4.9.x then leaves pending requests waiting, §4.4); new connects are refused after
//    one round trip; a later request on a connection of the dead incarnation draws an RST.
//  - crash / partition: the host (or the path from one producer group) goes silent: connects never
//    complete (the client's connect timeout decides), requests and responses vanish.
// A Channel is one TCP connection as the client sees it. Delivery is decided at arrival time, so a
// fault that begins while a packet is in flight affects it.
#ifndef RMQSIM_SIM_NETWORK_H_
#define RMQSIM_SIM_NETWORK_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "core/rc_string.h"
#include "core/scheduler.h"

namespace rmqsim::sim {

using core::Scheduler;
using core::SimDuration;
using core::SimTime;

class Channel;
struct ConsumerRequest;  // sim/consumer_protocol.h

// A request or response on the wire. The payload is interpreted by the endpoints.
struct RemotingCommand {
  enum class Type {
    kSendMessage, kGetRoute, kHeartbeat, kGetMaxOffset,
    // Push consumers (sim/consumer_protocol.h).
    kPullMessage, kConsumerSendMsgBack, kQueryConsumerOffset, kUpdateConsumerOffset,
    kGetConsumerList, kLockBatchMq, kUnlockBatchMq,
  };
  Type type = Type::kSendMessage;
  int32_t opaque = 0;
  bool oneway = false;
  // Send: the message and the header's queueId.
  int64_t message_index = -1;  // index into the run's message records
  // Shared, not copied, at every hop of a request (core/rc_string.h).
  core::RcString msg_id;
  core::RcString topic;
  int32_t queue_id = 0;
  int32_t body_size = 0;
  int32_t attempt = 0;          // attempt number (for the recorder)
  // Route query.
  core::RcString route_topic;
  // A consumer-protocol request's body, or the %RETRY% send of a consumer's inner producer.
  std::shared_ptr<const ConsumerRequest> consumer;
  // Response.
  int32_t code = 0;
  core::RcString remark;
  std::shared_ptr<const void> body;  // e.g. TopicRouteData for a route answer
};

// A server process. Implemented by Broker and NameServer.
class Host {
 public:
  Host(std::string name, std::string addr, SimDuration delay)
      : name_(std::move(name)), addr_(std::move(addr)), delay_(delay) {}
  virtual ~Host() = default;

  const std::string& name() const { return name_; }
  const std::string& addr() const { return addr_; }
  SimDuration delay() const { return delay_; }

  bool process_up() const { return process_up_; }
  bool crashed() const { return crashed_; }
  uint64_t incarnation() const { return incarnation_; }
  // Is the path from a client of `group` to this host open?
  bool ReachableFrom(const std::string& group) const {
    return !crashed_ && partitioned_groups_.count(group) == 0 && !partitioned_all_;
  }

  // A request arrived on an open connection of the current incarnation. The packet is the
  // client's own, shared and never written again once sent: a host that answers later keeps it
  // instead of copying it.
  virtual void HandleRequest(const std::shared_ptr<Channel>& ch,
                             std::shared_ptr<const RemotingCommand> req) = 0;

 protected:
  friend class Network;
  std::string name_;
  std::string addr_;
  SimDuration delay_;
  bool process_up_ = true;
  bool crashed_ = false;
  bool partitioned_all_ = false;
  std::set<std::string> partitioned_groups_;
  uint64_t incarnation_ = 1;
};

// Receives what arrives at a client instance.
class ClientEndpoint {
 public:
  virtual ~ClientEndpoint() = default;
  // `resp` is the packet's own command: the endpoint may move from it.
  virtual void OnResponse(const std::shared_ptr<Channel>& ch, RemotingCommand&& resp) = 0;
  // The peer closed the connection cleanly (FIN).
  virtual void OnPeerClosed(const std::shared_ptr<Channel>& ch) = 0;
  // The peer reset the connection (RST): Netty's exceptionCaught closes it through the pipeline.
  virtual void OnPeerReset(const std::shared_ptr<Channel>& ch) = 0;
};

class Channel {
 public:
  uint64_t id() const { return id_; }
  const std::string& addr() const { return addr_; }
  // Channel.isActive(): connected and not closed.
  bool active() const { return active_; }
  // The channel was closed by a peer FIN: Netty has removed its pipeline handlers, so a later
  // close() does not reach NettyConnectManageHandler (no failFast) [§4.4].
  bool pipeline_destroyed() const { return pipeline_destroyed_; }

 private:
  friend class Network;
  uint64_t id_ = 0;
  std::string addr_;
  std::string group;
  ClientEndpoint* client = nullptr;
  Host* host = nullptr;
  uint64_t incarnation = 0;
  bool active_ = false;
  bool pipeline_destroyed_ = false;
};

class Network {
 public:
  Network(Scheduler& sched, core::EventLog& log) : sched_(sched), log_(log) {}

  void AddHost(Host* host);
  Host* FindHost(const std::string& addr) const;

  enum class ConnectResult { kConnected, kRefused };
  // Starts a TCP connect from a client of `group`. `done` is called when the connect completes or
  // is refused; for a silent host it is never called (the caller's connect timeout decides).
  // `actor` (the connecting client, for event text) is taken by value: callers build it per call.
  void Connect(ClientEndpoint* client, const std::string& group, std::string actor,
               const std::string& addr,
               std::function<void(ConnectResult, std::shared_ptr<Channel>)> done);
  // Writes a request. Returns false if the channel is closed (the write fails locally). The
  // request is shared with the sender (which may keep it for a re-send), not copied.
  bool SendRequest(const std::shared_ptr<Channel>& ch, std::shared_ptr<const RemotingCommand> req);
  // Server side: sends a response back over `ch`. Taken as an rvalue: it is moved, once, into the
  // packet that travels (every caller builds the response for this call alone).
  void SendResponse(const std::shared_ptr<Channel>& ch, RemotingCommand&& resp);
  // Client side close (closeChannel): the server sees it after one delay.
  void CloseFromClient(const std::shared_ptr<Channel>& ch);

  // Faults.
  void Kill(Host* host);
  void Start(Host* host);
  void Crash(Host* host);
  void Partition(Host* host, const std::string& group);  // empty group: every producer
  void HealPath(Host* host);

 private:
  Scheduler& sched_;
  core::EventLog& log_;
  std::map<std::string, Host*> hosts_;
  std::vector<std::weak_ptr<Channel>> channels_;  // for kill notifications
  uint64_t next_channel_id_ = 1;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_NETWORK_H_
