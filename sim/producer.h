// One simulated producer client: MQClientInstance + DefaultMQProducerImpl + MQClientAPIImpl,
// ported from rocketmq-all-4.9.0 / 4.9.3 / 4.9.8 / 5.3.3 with every version difference asked of
// the Profile (5.3.3 adds operationSucceed/operationFail, the per-request budget cap, async
// backpressure on the caller thread and the latency detector).
//
// The send path reads like upstream: sendDefaultImpl (loop, budget, callTimeout, fault updates,
// exception classification, "Send [N] times" message), sendKernelImpl, sendMessage,
// sendMessageAsync, operationComplete and onExceptionImpl, tryToFindTopicPublishInfo, and the
// client instance's scheduled tasks (route poll at 10 ms then every pollNameServerInterval;
// cleanOfflineBroker + heartbeat at 1 s then every heartbeatBrokerInterval) on one
// single-threaded scheduled executor. Each method runs on the simulated thread that upstream
// runs it on, because each thread has its own queue index (§5.2).
#ifndef RMQSIM_SIM_PRODUCER_H_
#define RMQSIM_SIM_PRODUCER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/executor.h"
#include "core/semaphore.h"
#include "sim/client_context.h"
#include "sim/fault_strategy.h"
#include "sim/java_exception.h"
#include "sim/remoting_client.h"
#include "sim/route.h"

namespace rmqsim::sim {

enum class CommunicationMode { kSync, kAsync, kOneway };

struct RetrySendProps;  // sim/consumer_protocol.h

struct Message {
  int64_t index = -1;  // Recorder index
  core::RcString id;     // client message id ("pg#0/17"), kept across retries
  core::RcString topic;
  int32_t body_size = 128;
  // A consumer's %RETRY% message (fallback or orderly copy): its properties and reconsume
  // counters, which only the first request built for it carries (sim/consumer_protocol.h).
  std::shared_ptr<RetrySendProps> retry;
};

struct SendResult {
  std::string send_status;  // SEND_OK, FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT, SLAVE_NOT_AVAILABLE
  std::string broker_name;
  int32_t queue_id = 0;
};

class ProducerClient {
 public:
  ProducerClient(ClientContext ctx, std::vector<std::string> namesrv_addrs);
  ProducerClient(const ProducerClient&) = delete;
  ProducerClient& operator=(const ProducerClient&) = delete;

  // DefaultMQProducer.start(): remoting client, scheduled tasks, the TBW102 placeholder.
  void Start();

  // Application entry points. Each records the message's outcome when the application learns it.
  // send(msg): blocks `caller` until it returns or throws.
  Task<void> SendSync(SimThread& caller, Message msg);
  // send(msg, callback): hands the send to the async sender executor; returns at once.
  void SendAsync(Message msg);
  // sendOneway(msg): blocks `caller` while connecting and writing.
  Task<void> SendOneway(SimThread& caller, Message msg);
  // 5.3.3 send(msg, callback) with enableBackpressureForAsyncMode: the caller thread waits for the
  // count and size semaphores before handing the send over (a rejected submit runs it inline).
  Task<void> SendAsyncFromCaller(SimThread& caller, Message msg);
  // Whether async sends must come from a caller thread (SendAsyncFromCaller).
  bool AsyncSendBlocksCaller() const {
    return ctx_.profile.async_backpressure && ctx_.settings.enable_backpressure_for_async_mode;
  }

  const ClientContext& context() const { return ctx_; }
  MQFaultStrategy& fault_strategy() { return fault_; }
  // The publish info the producer would use for `topic` now (nullptr if none).
  std::shared_ptr<TopicPublishInfo> publish_info(const std::string& topic) const;

 private:
  using SendOutcome = Try<std::optional<SendResult>>;
  struct AsyncSend;  // the state an async send's retry chain shares
  struct AsyncCallCaptures;  // one 5.3.3 sendMessageAsync call's InvokeCallback state

  core::Delay Step(SimThread& t);
  int64_t UpdateFaultItem(const std::string& broker, int64_t latency_ms, bool isolation,
                          const std::string& msg_id, bool reachable = true);
  MQFaultStrategy::Selection SelectOneMessageQueue(SimThread& t, TopicPublishInfo& tp,
                                                   const std::string* last,
                                                   const std::string& msg_id,
                                                   bool reset_index = false);

  // DefaultMQProducerImpl.
  Task<SendOutcome> SendDefaultImpl(SimThread& t, const Message& msg, CommunicationMode mode,
                                    std::shared_ptr<AsyncSend> async, int64_t timeout_ms);
  Task<SendOutcome> SendKernelImpl(SimThread& t, const Message& msg, const MessageQueue& mq,
                                   CommunicationMode mode, const std::shared_ptr<AsyncSend>& async,
                                   const std::shared_ptr<TopicPublishInfo>& tp, int64_t timeout_ms,
                                   int32_t attempt);
  Task<Try<std::shared_ptr<TopicPublishInfo>>> TryToFindTopicPublishInfo(SimThread& t,
                                                                         const std::string& topic);
  // MQClientAPIImpl. (The request is taken by rvalue reference, here and in SendMessageAsync5:
  // every caller co_awaits the call at once, so the request it hands over outlives the call, and
  // is moved once, where it is kept, rather than into each coroutine frame on the way.)
  Task<SendOutcome> SendMessage(SimThread& t, const std::string& addr, const std::string& broker,
                                const Message& msg, RemotingCommand&& req, int64_t timeout_ms,
                                CommunicationMode mode, const std::shared_ptr<AsyncSend>& async,
                                const std::shared_ptr<TopicPublishInfo>& tp);
  // `addr` nullptr: the broker has no address (invokeAsync then uses the name-server channel).
  Task<TryVoid> SendMessageAsync(SimThread& t, const std::string* addr, const std::string& broker,
                                 int64_t timeout_ms, RemotingCommand req,
                                 std::shared_ptr<AsyncSend> async);
  // operationComplete reads the InvokeCallback's captures in place: the callable lives in its
  // ResponseFuture until the call completes.
  Task<void> OperationComplete(SimThread& t, std::shared_ptr<ResponseFuture> rf,
                               const std::string& broker, const std::optional<std::string>& addr,
                               int64_t timeout_ms, int64_t begin_ms, const RemotingCommand& req,
                               const std::shared_ptr<AsyncSend>& async);
  Task<void> OnExceptionImpl(SimThread& t, std::string broker, int64_t timeout_ms,
                             RemotingCommand req, std::shared_ptr<AsyncSend> async, ExPtr e,
                             bool need_retry, bool from_catch_all = false);
  // `addr` names the broker in an MQBrokerException's text only.
  Try<SendResult> ProcessSendResponse(const std::string& broker, const RemotingCommand& resp,
                                      std::string_view addr);
  // 5.3.3 sendMessageAsync and its InvokeCallback.
  Task<TryVoid> SendMessageAsync5(SimThread& t, const std::string* addr, const std::string& broker,
                                  int64_t timeout_ms, RemotingCommand&& req,
                                  const std::shared_ptr<AsyncSend>& async);
  // The callback's operationSucceed / operationFail read the callback's captures in place: the
  // callable lives (in its ResponseFuture or connect listener) until the call completes. The
  // response is the call's own.
  Task<void> OperationSucceed(SimThread& t, RemotingCommand resp, const std::string& broker,
                              const std::optional<std::string>& addr, int64_t timeout_ms,
                              int64_t begin_ms, const RemotingCommand& req,
                              const std::shared_ptr<AsyncSend>& async);
  Task<void> OperationFail(SimThread& t, ExPtr throwable, const std::string& broker,
                           int64_t timeout_ms, int64_t begin_ms, const RemotingCommand& req,
                           const std::shared_ptr<AsyncSend>& async);
  // The application's SendCallback (5.3.3: through BackpressureSendCallBack, which releases the
  // backpressure permits on every call, quirk Q9 included).
  void CallbackOnSuccess(const std::shared_ptr<AsyncSend>& async, const SendResult* r);
  void CallbackOnException(const std::shared_ptr<AsyncSend>& async, const ExPtr& e);
  // The async sender executor's runnable for one send.
  core::Job AsyncSendJob(std::shared_ptr<AsyncSend> async, int64_t begin, int64_t timeout);
  // 5.3.3 latency detector round (LatencyFaultToleranceScheduledThread).
  Task<void> DetectorRound(SimThread& t);
  // MQClientInstance.
  Task<Try<bool>> UpdateTopicRouteInfoFromNameServer(SimThread& t, const std::string& topic,
                                                     bool is_default);
  Task<void> UpdateAllTopicRoutes(SimThread& t);
  Task<void> CleanOfflineBrokerAndHeartbeat(SimThread& t);
  std::optional<std::string> FindBrokerAddressInPublish(const std::string& broker) const;

  void ResolveOk(const Message& msg, const SendResult* r);
  void ResolveFailed(const Message& msg, const ExPtr& e);

  ClientContext ctx_;
  std::vector<std::string> namesrv_addrs_;
  RemotingClient remoting_;
  MQFaultStrategy fault_;
  core::Executor async_executor_;
  core::ScheduledExecutor scheduled_;
  core::Semaphore lock_namesrv_;
  // 5.3.3 DefaultMQProducerImpl semaphoreAsyncSendNum / semaphoreAsyncSendSize (fair).
  std::unique_ptr<core::Semaphore> backpressure_num_;
  std::unique_ptr<core::Semaphore> backpressure_size_;
  std::unique_ptr<core::ScheduledExecutor> detector_;
  std::map<std::string, std::shared_ptr<TopicPublishInfo>> topic_publish_info_table_;
  std::map<std::string, TopicRouteData> topic_route_table_;
  std::map<std::string, std::map<int64_t, std::string>> broker_addr_table_;
  uint64_t route_version_ = 0;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_PRODUCER_H_
