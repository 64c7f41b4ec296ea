#include "sim/producer.h"

#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/check.h"
#include "sim/consumer_protocol.h"
#include "sim/response_code.h"

namespace rmqsim::sim {

namespace {

constexpr char kDefaultTopic[] = "TBW102";  // DefaultMQProducer.createTopicKey
constexpr int32_t kConnectBrokerException = 10001;
constexpr int32_t kAccessBrokerTimeout = 10002;
constexpr int32_t kBrokerNotExistException = 10003;
constexpr int32_t kNotFoundTopicException = 10005;

ErrorInfo ToErrorInfo(const ExPtr& e) {
  ErrorInfo info;
  info.type = e->ClassName();
  info.message = e->message;
  info.response_code = e->response_code;
  if (e->cause) info.cause = e->cause->Describe();
  return info;
}

// The attempt result as timeline-format.md names it: a broker code name for MQBrokerException,
// else the exception class.
std::string ResultName(const ExPtr& e) {
  if (e->cls == ExClass::kMQBrokerException) return code::Name(e->response_code);
  return e->ClassName();
}

const char* ModeName(CommunicationMode m) {
  switch (m) {
    case CommunicationMode::kSync: return "SYNC";
    case CommunicationMode::kAsync: return "ASYNC";
    case CommunicationMode::kOneway: return "ONEWAY";
  }
  return "?";
}

// What the send callbacks keep of sendMessageAsync's broker address (nullptr: none).
std::optional<std::string> OptionalAddr(const std::string* addr) {
  return addr != nullptr ? std::optional<std::string>(*addr) : std::nullopt;
}

// The address as the callbacks name it in exception texts ("null": none), without a copy.
std::string_view AddrOrNull(const std::optional<std::string>& addr) {
  return addr ? std::string_view(*addr) : std::string_view("null");
}

// Texts the send path hands on as `const std::string&` on every send (the recorder's attempt
// path, brokersSent's placeholder): built once rather than as a temporary per call.
const std::string& SendDefaultImplPath() {
  static const std::string s = "sendDefaultImpl";
  return s;
}
const std::string& OnExceptionImplPath() {
  static const std::string s = "onExceptionImpl";
  return s;
}
const std::string& NullText() {
  static const std::string s = "null";
  return s;
}

}  // namespace

// What 5.3.3 sendMessageAsync's InvokeCallback captures, the request it sends among them.
struct ProducerClient::AsyncCallCaptures {
  RemotingCommand request;
  std::string broker;
  std::optional<std::string> addr;
  int64_t timeout;
  int64_t begin;
};

// What one async send's retry chain shares: the message, the publish-info snapshot taken by
// sendDefaultImpl, and MQClientAPIImpl's `times` counter.
struct ProducerClient::AsyncSend {
  Message msg;
  std::shared_ptr<TopicPublishInfo> tp;
  int32_t times = 0;
  // 5.3.3 BackpressureSendCallBack: which permits this send holds (released on every callback).
  bool backpressure_num_acquired = false;
  bool backpressure_size_acquired = false;
  int32_t msg_len = 1;
};

ProducerClient::ProducerClient(ClientContext ctx, std::vector<std::string> namesrv_addrs)
    : ctx_(std::move(ctx)),
      namesrv_addrs_(std::move(namesrv_addrs)),
      remoting_(ctx_, namesrv_addrs_),
      fault_(ctx_.profile, ctx_.settings.send_latency_fault_enable, ctx_.seed, ctx_.actor(),
             [this] { return ctx_.now_ms(); }),
      async_executor_(ctx_.sched, ctx_.scope, "AsyncSenderExecutor_",
                      ctx_.settings.async_sender_executor_threads,
                      static_cast<size_t>(ctx_.settings.async_sender_queue_capacity)),
      scheduled_(ctx_.sched, ctx_.scope, "MQClientFactoryScheduledThread"),
      lock_namesrv_(ctx_.sched, 1) {
  if (ctx_.profile.async_backpressure) {
    // new Semaphore(max(backPressureForAsyncSendNum, 10), true) and
    // new Semaphore(max(backPressureForAsyncSendSize, 1 MiB), true) [DMPI@5.3.3].
    backpressure_num_ = std::make_unique<core::Semaphore>(
        ctx_.sched, std::max<int64_t>(ctx_.settings.back_pressure_for_async_send_num, 10));
    backpressure_size_ = std::make_unique<core::Semaphore>(
        ctx_.sched,
        std::max<int64_t>(ctx_.settings.back_pressure_for_async_send_size, 1024 * 1024));
  }
}

std::shared_ptr<TopicPublishInfo> ProducerClient::publish_info(const std::string& topic) const {
  auto it = topic_publish_info_table_.find(topic);
  return it == topic_publish_info_table_.end() ? nullptr : it->second;
}

void ProducerClient::Start() {
  // DefaultMQProducerImpl.start: the createTopicKey placeholder (4.9.x), so the periodic refresh
  // also polls TBW102. 5.3.3 puts none.
  if (ctx_.profile.tbw102_placeholder) {
    topic_publish_info_table_[kDefaultTopic] = std::make_shared<TopicPublishInfo>(
        ctx_.seed, ctx_.actor() + "/tpi:" + kDefaultTopic + "#0",
        ctx_.profile.thread_index_overflow, ctx_.profile.thread_index_start);
  }
  remoting_.Start();
  if (ctx_.profile.latency_detector && ctx_.settings.start_detector_enable) {
    // mqFaultStrategy.startDetector(): scheduleAtFixedRate(detect, 3 s, 3 s) on its own thread;
    // each run does something only with startDetectorEnable [LFT@5.3.3].
    detector_ = std::make_unique<core::ScheduledExecutor>(ctx_.sched, ctx_.scope,
                                                          "LatencyFaultToleranceScheduledThread");
    detector_->ScheduleAtFixedRate(SimDuration::Seconds(3), SimDuration::Seconds(3),
                                   [this](SimThread& t) { return DetectorRound(t); });
  }
  scheduled_.ScheduleAtFixedRate(SimDuration::Millis(10), ctx_.settings.poll_name_server_interval,
                                 [this](SimThread& t) { return UpdateAllTopicRoutes(t); });
  scheduled_.ScheduleAtFixedRate(SimDuration::Millis(1000), ctx_.settings.heartbeat_broker_interval,
                                 [this](SimThread& t) { return CleanOfflineBrokerAndHeartbeat(t); });
  RMQ_CTX_LOG(ctx_, "client_start", "", absl::StrCat("profile ", std::string(ctx_.profile.name), ", sendMsgTimeout ",
                                      ctx_.settings.send_msg_timeout.floor_ms(), " ms"));
}

core::Delay ProducerClient::Step(SimThread& t) {
  (void)t;
  return ctx_.Step();
}

int64_t ProducerClient::UpdateFaultItem(const std::string& broker, int64_t latency_ms,
                                        bool isolation, const std::string& msg_id,
                                        bool reachable) {
  int64_t duration = fault_.UpdateFaultItem(broker, latency_ms, isolation, reachable);
  if (duration >= 0 &&
      ctx_.profile.fault_item_update == FaultItemUpdate::kExtendOnlyWithReachable) {
    if (ctx_.log.enabled()) {
      const FaultItem* f = fault_.Find(broker);
      ctx_.Log("fault_item_update", msg_id,
               absl::StrFormat("%s latency %d ms isolation=%s reachable=%s -> duration %d ms, "
                               "not available until %d (extend only)",
                               broker, latency_ms, isolation ? "true" : "false",
                               reachable ? "true" : "false", duration, f ? f->start_timestamp : 0));
    }
    return duration;
  }
  if (duration >= 0) {
    RMQ_CTX_LOG(ctx_, "fault_item_update", msg_id,
        absl::StrFormat("%s latency %d ms isolation=%s -> not available for %d ms (until %d)",
                        broker, latency_ms, isolation ? "true" : "false", duration,
                        ctx_.now_ms() + duration));
  }
  return duration;
}

MQFaultStrategy::Selection ProducerClient::SelectOneMessageQueue(SimThread& t,
                                                                 TopicPublishInfo& tp,
                                                                 const std::string* last,
                                                                 const std::string& msg_id,
                                                                 bool reset_index) {
  MQFaultStrategy::Selection sel = fault_.SelectOneMessageQueue(tp, last, t, reset_index);
  if (ctx_.log.enabled()) {
    int32_t index = 0;
    tp.send_which_queue().Peek(t, &index);
    ctx_.Log("select_queue", msg_id,
             absl::StrFormat("%s queue %d (lastBroker=%s, index=%d, thread=%s, %s)",
                             sel.mq->broker_name, sel.mq->queue_id,
                             last == nullptr ? "null" : *last, index, t.name(), sel.how()));
  }
  return sel;
}

void ProducerClient::ResolveOk(const Message& msg, const SendResult* r) {
  ctx_.recorder.Resolve(msg.index, Outcome::kOk, ctx_.sched.now(),
                        r ? std::string_view(r->send_status) : std::string_view(), std::nullopt);
  RMQ_CTX_LOG(ctx_, "result", msg.id, r ? "ok: " + r->send_status + " from " + r->broker_name : "ok");
}

void ProducerClient::ResolveFailed(const Message& msg, const ExPtr& e) {
  ctx_.recorder.Resolve(msg.index, Outcome::kFailed, ctx_.sched.now(), "", ToErrorInfo(e));
  RMQ_CTX_LOG(ctx_, "result", msg.id, "failed: " + e->Describe());
}

// ---- Application entry points ---------------------------------------------------------------

Task<void> ProducerClient::SendSync(SimThread& caller, Message msg) {
  SendOutcome r = co_await SendDefaultImpl(caller, msg, CommunicationMode::kSync, nullptr,
                                           ctx_.settings.send_msg_timeout.floor_ms());
  if (r.ok()) {
    ResolveOk(msg, r.value() ? &*r.value() : nullptr);
  } else {
    ResolveFailed(msg, r.ex());
  }
}

Task<void> ProducerClient::SendOneway(SimThread& caller, Message msg) {
  SendOutcome r = co_await SendDefaultImpl(caller, msg, CommunicationMode::kOneway, nullptr,
                                           ctx_.settings.send_msg_timeout.floor_ms());
  if (r.ok()) {
    ResolveOk(msg, nullptr);
  } else {
    ResolveFailed(msg, r.ex());
  }
}

core::Job ProducerClient::AsyncSendJob(std::shared_ptr<AsyncSend> async, int64_t begin,
                                       int64_t timeout) {
  return [this, async = std::move(async), begin, timeout](SimThread& t) -> Task<void> {
    int64_t cost = ctx_.now_ms() - begin;
    if (timeout > cost) {
      SendOutcome r = co_await SendDefaultImpl(t, async->msg, CommunicationMode::kAsync, async,
                                               timeout - cost);
      // the runnable's catch: sendCallback.onException
      if (!r.ok()) CallbackOnException(async, r.ex());
    } else {
      CallbackOnException(async, MakeEx(ExClass::kRemotingTooMuchRequestException,
                                        "DEFAULT ASYNC send call timeout"));
    }
  };
}

void ProducerClient::SendAsync(Message msg) {
  // DefaultMQProducerImpl.send(msg, callback, timeout) [DMPI@4.9.x; 5.3.3 without backpressure].
  const int64_t begin = ctx_.now_ms();
  const int64_t timeout = ctx_.settings.send_msg_timeout.floor_ms();
  auto async = std::make_shared<AsyncSend>();
  async->msg = std::move(msg);
  bool accepted = async_executor_.Submit(AsyncSendJob(async, begin, timeout));
  if (!accepted) {
    // Thrown to the caller by executeAsyncMessageSend, not passed to the callback.
    ResolveFailed(async->msg,
                  MakeEx(ExClass::kMQClientException, "executor rejected ",
                         MakeEx(ExClass::kMQClientException, "RejectedExecutionException")));
  }
}

Task<void> ProducerClient::SendAsyncFromCaller(SimThread& caller, Message msg) {
  // executeAsyncMessageSend with enableBackpressureForAsyncMode [DMPI@5.3.3]: on the caller
  // thread, the message-count permit, then `msgLen` size permits, each waited for at most the
  // budget left; a failed wait goes to onException and the send is dropped.
  const int64_t begin = ctx_.now_ms();
  const int64_t timeout = ctx_.settings.send_msg_timeout.floor_ms();
  auto async = std::make_shared<AsyncSend>();
  async->msg = msg;
  async->msg_len = std::max(msg.body_size, 1);
  int64_t cost = ctx_.now_ms() - begin;
  bool acquired = false;
  if (timeout - cost > 0) {
    const int64_t before = ctx_.now_ms();
    acquired = co_await backpressure_num_->TryAcquire(SimDuration::Millis(timeout - cost));
    if (ctx_.now_ms() > before) co_await Step(caller);
  }
  async->backpressure_num_acquired = acquired;
  if (!acquired) {
    RMQ_CTX_LOG(ctx_, "backpressure", msg.id,
        absl::StrFormat("no semaphoreAsyncSendNum permit within %d ms (%d available)",
                        timeout - cost, backpressure_num_->available()));
    CallbackOnException(async, MakeEx(ExClass::kRemotingTooMuchRequestException,
                                      "send message tryAcquire semaphoreAsyncNum timeout"));
    co_return;
  }
  cost = ctx_.now_ms() - begin;
  acquired = false;
  if (timeout - cost > 0) {
    const int64_t before = ctx_.now_ms();
    acquired = co_await backpressure_size_->TryAcquire(SimDuration::Millis(timeout - cost),
                                                       async->msg_len);
    if (ctx_.now_ms() > before) co_await Step(caller);
  }
  async->backpressure_size_acquired = acquired;
  if (!acquired) {
    RMQ_CTX_LOG(ctx_, "backpressure", msg.id,
        absl::StrFormat("no %d semaphoreAsyncSendSize permits within %d ms", async->msg_len,
                        timeout - cost));
    CallbackOnException(async, MakeEx(ExClass::kRemotingTooMuchRequestException,
                                      "send message tryAcquire semaphoreAsyncSize timeout"));
    co_return;
  }
  core::Job job = AsyncSendJob(async, begin, timeout);
  if (!async_executor_.Submit(std::move(job))) {
    // RejectedExecutionException with backpressure on: runnable.run() on the caller thread.
    RMQ_CTX_LOG(ctx_, "backpressure", msg.id, "async sender executor rejected the task: run on the caller thread");
    co_await job(caller);
  }
}

void ProducerClient::CallbackOnSuccess(const std::shared_ptr<AsyncSend>& async,
                                       const SendResult* r) {
  if (async->backpressure_size_acquired) backpressure_size_->Release(async->msg_len);
  if (async->backpressure_num_acquired) backpressure_num_->Release();
  ResolveOk(async->msg, r);
}

void ProducerClient::CallbackOnException(const std::shared_ptr<AsyncSend>& async,
                                         const ExPtr& e) {
  // BackpressureSendCallBack.semaphoreProcessor runs on *every* call, so a second onException
  // (quirk Q9) releases the permits a second time.
  if (async->backpressure_size_acquired) backpressure_size_->Release(async->msg_len);
  if (async->backpressure_num_acquired) backpressure_num_->Release();
  if (ctx_.recorder.callbacks(async->msg.index) > 0) {
    RMQ_CTX_LOG(ctx_, "callback_again", async->msg.id,
        "the SendCallback runs again: onException after the send was already reported (Q9)");
  }
  ResolveFailed(async->msg, e);
}

// ---- DefaultMQProducerImpl ------------------------------------------------------------------

Task<ProducerClient::SendOutcome> ProducerClient::SendDefaultImpl(
    SimThread& t, const Message& msg, CommunicationMode mode, std::shared_ptr<AsyncSend> async,
    int64_t timeout) {
  co_await Step(t);  // makeSureStateOK, Validators.checkMessage
  const int64_t begin_first = ctx_.now_ms();
  // tryToFindTopicPublishInfo: a cached route with queues is answered at once, without entering
  // the coroutine (the common case: a frame per message saved).
  std::shared_ptr<TopicPublishInfo> tp = publish_info(msg.topic);
  if (!tp || !tp->ok()) {
    Try<std::shared_ptr<TopicPublishInfo>> found = co_await TryToFindTopicPublishInfo(t, msg.topic);
    if (!found.ok()) co_return found.ex();  // IllegalStateException: not caught here
    tp = std::move(found.value());
  }
  if (!tp || !tp->ok()) {
    co_return MakeEx(ExClass::kMQClientException, "No route info of this topic: " + msg.topic,
                     nullptr, kNotFoundTopicException);
  }
  if (async) async->tp = tp;
  bool call_timeout = false;
  std::shared_ptr<MessageQueue> mq;
  ExPtr exception;
  std::optional<SendResult> send_result;
  const int32_t times_total =
      mode == CommunicationMode::kSync ? 1 + ctx_.settings.retry_times_when_send_failed : 1;
  // (Inline: a send has 1 + retryTimesWhenSendFailed slots, 3 by default; no heap per message.)
  absl::InlinedVector<std::string, 3> brokers_sent(static_cast<size_t>(times_total), NullText());
  int32_t times = 0;
  int32_t last_attempt = 0;
  bool reset_index = false;
  for (; times < times_total; ++times) {
    std::optional<std::string> last;
    if (mq) last = mq->broker_name;
    // 5.3.3: resetIndex = true from the second attempt on [DMPI@5.3.3 sendDefaultImpl].
    if (ctx_.profile.reset_index_on_retry && times > 0) reset_index = true;
    MQFaultStrategy::Selection sel =
        SelectOneMessageQueue(t, *tp, last ? &*last : nullptr, msg.id, reset_index);
    mq = sel.mq;
    brokers_sent[static_cast<size_t>(times)] = mq->broker_name;
    const int64_t begin_prev = ctx_.now_ms();
    const int64_t cost = begin_prev - begin_first;
    if (timeout < cost) {
      call_timeout = true;
      if (last_attempt > 0) {
        ctx_.recorder.SetDecision(msg.index, last_attempt,
                                  absl::StrFormat("budget exhausted before the next attempt "
                                                  "(cost %d ms > timeout %d ms): sendDefaultImpl "
                                                  "call timeout",
                                                  cost, timeout));
      }
      break;
    }
    MessageQueue chosen = *mq;  // what sendKernelImpl is handed
    last_attempt = ctx_.recorder.BeginAttempt(msg.index, chosen.broker_name, chosen.queue_id,
                                              ctx_.sched.now(), SendDefaultImplPath(), t.name());
    int64_t cur_timeout = timeout - cost;
    // 5.3.3: an attempt that is not the last gets at most sendMsgMaxTimeoutPerRequest.
    const int64_t max_per_request = ctx_.settings.send_msg_max_timeout_per_request_ms;
    if (ctx_.profile.per_request_timeout_cap && max_per_request > -1 &&
        times + 1 < times_total && cur_timeout > max_per_request) {
      RMQ_CTX_LOG(ctx_, "budget_capped", msg.id,
          absl::StrFormat("attempt %d budget %d ms capped to sendMsgMaxTimeoutPerRequest %d ms",
                          times + 1, cur_timeout, max_per_request));
      cur_timeout = max_per_request;
    }
    SendOutcome r = co_await SendKernelImpl(t, msg, chosen, mode, async, tp, cur_timeout,
                                            last_attempt);
    const int64_t end = ctx_.now_ms();
    if (r.ok()) {
      UpdateFaultItem(mq->broker_name, end - begin_prev, false, msg.id, /*reachable=*/true);
      if (mode != CommunicationMode::kSync) {
        if (mode == CommunicationMode::kOneway) {
          ctx_.recorder.EndAttempt(msg.index, last_attempt, ctx_.sched.now(), "ok");
        }
        co_return std::optional<SendResult>();
      }
      const SendResult& res = *r.value();
      ctx_.recorder.EndAttempt(msg.index, last_attempt, ctx_.sched.now(), res.send_status);
      if (res.send_status != "SEND_OK" && ctx_.settings.retry_another_broker_when_not_store_ok) {
        send_result = res;
        ctx_.recorder.SetDecision(
            msg.index, last_attempt,
            times + 1 < times_total
                ? "retry after non-OK status " + res.send_status +
                      " (retryAnotherBrokerWhenNotStoreOK)"
                : "non-OK status " + res.send_status + " and no attempts left: returned");
        continue;
      }
      co_return std::optional<SendResult>(res);
    }
    const ExPtr& e = r.ex();
    ctx_.recorder.EndAttempt(msg.index, last_attempt, ctx_.sched.now(), ResultName(e), e->message);
    const bool more = times + 1 < times_total;
    if (e->IsRemoting() || e->cls == ExClass::kMQClientException) {
      // 4.9.x: (latency, isolation). 5.3.3: MQClientException (latency, false, true);
      // RemotingException (latency, true, reachable = !startDetectorEnable).
      const bool isolation =
          e->cls == ExClass::kMQClientException ? ctx_.profile.client_exception_isolates : true;
      const bool reachable =
          !(e->IsRemoting() && ctx_.profile.latency_detector && ctx_.settings.start_detector_enable);
      UpdateFaultItem(mq->broker_name, end - begin_prev, isolation, msg.id, reachable);
      exception = e;
      std::string decision;
      if (more) {
        decision = absl::StrCat("sendDefaultImpl caught ", e->ClassName(), ": retry (attempt ",
                                times + 2, " of ", times_total, ")");
      } else if (mode == CommunicationMode::kAsync) {
        decision = absl::StrCat(
            e->cls == ExClass::kRemotingConnectException ? "connect exception" : e->ClassName(),
            " escaped to sendDefaultImpl, 1 attempt allowed");
      } else {
        decision = absl::StrCat("sendDefaultImpl caught ", e->ClassName(), ": no attempts left (",
                                times_total, " in ", ModeName(mode), " mode)");
      }
      ctx_.recorder.SetDecision(msg.index, last_attempt, decision);
      continue;
    }
    if (e->cls == ExClass::kMQBrokerException) {
      // 5.3.3 also marks the broker unreachable (4.9.x has no such flag).
      UpdateFaultItem(mq->broker_name, end - begin_prev, true, msg.id, /*reachable=*/false);
      exception = e;
      if (IsRetryableResponseCode(ctx_.profile, ctx_.settings, e->response_code)) {
        ctx_.recorder.SetDecision(
            msg.index, last_attempt,
            more ? absl::StrCat("broker code ", code::Name(e->response_code),
                                " is retryable: retry (attempt ", times + 2, " of ", times_total,
                                ")")
                 : absl::StrCat("broker code ", code::Name(e->response_code),
                                " is retryable but no attempts are left"));
        continue;
      }
      ctx_.recorder.SetDecision(msg.index, last_attempt,
                                absl::StrCat("broker code ", code::Name(e->response_code),
                                             " is not retryable: MQBrokerException thrown"));
      if (send_result) co_return std::optional<SendResult>(*send_result);
      co_return e;
    }
    co_return e;  // InterruptedException and unchecked exceptions propagate
  }
  if (send_result) co_return std::optional<SendResult>(*send_result);
  std::string info = absl::StrFormat(
      "Send [%d] times, still failed, cost [%d]ms, Topic: %s, BrokersSent: [%s]", times,
      ctx_.now_ms() - begin_first, msg.topic, absl::StrJoin(brokers_sent, ", "));
  if (call_timeout) {
    co_return MakeEx(ExClass::kRemotingTooMuchRequestException, "sendDefaultImpl call timeout");
  }
  int32_t code = -1;
  if (exception) {
    switch (exception->cls) {
      case ExClass::kMQBrokerException: code = exception->response_code; break;
      case ExClass::kRemotingConnectException: code = kConnectBrokerException; break;
      case ExClass::kRemotingTimeoutException: code = kAccessBrokerTimeout; break;
      case ExClass::kMQClientException: code = kBrokerNotExistException; break;
      default: break;
    }
  }
  co_return MakeEx(ExClass::kMQClientException, info, exception, code);
}

Task<Try<std::shared_ptr<TopicPublishInfo>>> ProducerClient::TryToFindTopicPublishInfo(
    SimThread& t, const std::string& topic) {
  std::shared_ptr<TopicPublishInfo> info = publish_info(topic);
  if (!info || !info->ok()) {
    if (!info) {
      topic_publish_info_table_[topic] = std::make_shared<TopicPublishInfo>(
          ctx_.seed, ctx_.actor() + "/tpi:" + topic + "#0", ctx_.profile.thread_index_overflow,
          ctx_.profile.thread_index_start);
    }
    Try<bool> r = co_await UpdateTopicRouteInfoFromNameServer(t, topic, false);
    if (!r.ok()) co_return r.ex();
    info = publish_info(topic);
  }
  if (info->have_topic_router_info || info->ok()) co_return info;
  Try<bool> r = co_await UpdateTopicRouteInfoFromNameServer(t, topic, true);
  if (!r.ok()) co_return r.ex();
  co_return publish_info(topic);
}

std::optional<std::string> ProducerClient::FindBrokerAddressInPublish(
    const std::string& broker) const {
  auto it = broker_addr_table_.find(broker);
  if (it == broker_addr_table_.end()) return std::nullopt;
  auto m = it->second.find(0);
  if (m == it->second.end()) return std::nullopt;
  return m->second;
}

Task<ProducerClient::SendOutcome> ProducerClient::SendKernelImpl(
    SimThread& t, const Message& msg, const MessageQueue& mq, CommunicationMode mode,
    const std::shared_ptr<AsyncSend>& async, const std::shared_ptr<TopicPublishInfo>& tp,
    int64_t timeout, int32_t attempt) {
  const int64_t begin = ctx_.now_ms();
  std::optional<std::string> addr = FindBrokerAddressInPublish(mq.broker_name);
  if (!addr) {
    Try<std::shared_ptr<TopicPublishInfo>> r = co_await TryToFindTopicPublishInfo(t, mq.topic);
    if (!r.ok()) co_return r.ex();
    addr = FindBrokerAddressInPublish(mq.broker_name);
  }
  if (!addr) {
    co_return MakeEx(ExClass::kMQClientException,
                     "The broker[" + mq.broker_name + "] not exist");
  }
  RemotingCommand req;
  req.type = RemotingCommand::Type::kSendMessage;
  req.message_index = msg.index;
  req.msg_id = msg.id;
  req.topic = msg.topic;
  req.queue_id = mq.queue_id;
  req.body_size = msg.body_size;
  req.attempt = attempt;
  // sendKernelImpl copies RECONSUME_TIME / MAX_RECONSUME_TIMES into the header of a %RETRY% send
  // and deletes them from the (shared) property map.
  if (msg.retry) req.consumer = msg.retry->BuildRequest();
  const int64_t cost = ctx_.now_ms() - begin;
  if (timeout < cost) {
    co_return MakeEx(ExClass::kRemotingTooMuchRequestException, "sendKernelImpl call timeout");
  }
  co_return co_await SendMessage(t, *addr, mq.broker_name, msg, std::move(req), timeout - cost,
                                 mode, async, tp);
}

// ---- MQClientAPIImpl ------------------------------------------------------------------------

Task<ProducerClient::SendOutcome> ProducerClient::SendMessage(
    SimThread& t, const std::string& addr, const std::string& broker, const Message& msg,
    RemotingCommand&& req, int64_t timeout, CommunicationMode mode,
    const std::shared_ptr<AsyncSend>& async, const std::shared_ptr<TopicPublishInfo>& tp) {
  (void)tp;
  const int64_t begin = ctx_.now_ms();
  req.opaque = remoting_.NextOpaque();
  RMQ_CTX_LOG(ctx_, "request_sent", msg.id,
      absl::StrFormat("%s to %s (%s) queue %d, timeout %d ms", ModeName(mode), broker, addr,
                      req.queue_id, timeout));
  if (mode == CommunicationMode::kOneway) {
    TryVoid r = co_await remoting_.InvokeOneway(t, &addr, std::move(req), timeout);
    if (!r.ok()) co_return r.ex();
    co_return std::optional<SendResult>();
  }
  const int64_t cost = ctx_.now_ms() - begin;
  if (timeout < cost) {
    co_return MakeEx(ExClass::kRemotingTooMuchRequestException, "sendMessage call timeout");
  }
  if (mode == CommunicationMode::kAsync) {
    async->times = 0;  // a new AtomicInteger per sendMessage call
    // (No co_await inside a conditional expression: GCC 12 destroys its temporaries early.)
    TryVoid r = Ok();
    if (ctx_.profile.async_callback == AsyncCallback::kSucceedOrFail) {
      r = co_await SendMessageAsync5(t, &addr, broker, timeout - cost, std::move(req), async);
    } else {
      r = co_await SendMessageAsync(t, &addr, broker, timeout - cost, std::move(req), async);
    }
    if (!r.ok()) co_return r.ex();
    co_return std::optional<SendResult>();
  }
  Try<RemotingCommand> resp = co_await remoting_.InvokeSync(t, &addr, std::move(req), timeout - cost);
  if (!resp.ok()) co_return resp.ex();
  Try<SendResult> res = ProcessSendResponse(broker, resp.value(), addr);
  if (!res.ok()) co_return res.ex();
  co_return std::optional<SendResult>(res.value());
}

Try<SendResult> ProducerClient::ProcessSendResponse(const std::string& broker,
                                                    const RemotingCommand& resp,
                                                    std::string_view addr) {
  const char* status;
  switch (resp.code) {
    case code::kFlushDiskTimeout: status = "FLUSH_DISK_TIMEOUT"; break;
    case code::kFlushSlaveTimeout: status = "FLUSH_SLAVE_TIMEOUT"; break;
    case code::kSlaveNotAvailable: status = "SLAVE_NOT_AVAILABLE"; break;
    case code::kSuccess: status = "SEND_OK"; break;
    default:
      return MakeEx(ExClass::kMQBrokerException,
                    absl::StrFormat("CODE: %d  DESC: %s BROKER: %s", resp.code, resp.remark.str(), addr),
                    nullptr, resp.code);
  }
  return SendResult{status, broker, resp.queue_id};
}

Task<TryVoid> ProducerClient::SendMessageAsync(SimThread& t, const std::string* addr,
                                               const std::string& broker, int64_t timeout,
                                               RemotingCommand req,
                                               std::shared_ptr<AsyncSend> async) {
  const int64_t begin = ctx_.now_ms();
  const int32_t attempt = req.attempt;
  RemotingCommand for_retry = req;  // the same request object is re-sent on retry
  InvokeCallback callback = [this, broker, addr = OptionalAddr(addr), timeout, begin, for_retry,
                             async](SimThread& ct, std::shared_ptr<ResponseFuture> rf) {
    return OperationComplete(ct, std::move(rf), broker, addr, timeout, begin, for_retry, async);
  };
  TryVoid r = co_await remoting_.InvokeAsync(t, addr, std::move(req), timeout, std::move(callback));
  if (r.ok()) co_return Ok();
  const ExPtr& e = r.ex();
  ctx_.recorder.EndAttempt(async->msg.index, attempt, ctx_.sched.now(), ResultName(e), e->message);
  if (ctx_.profile.async_sync_throw == AsyncSyncThrow::kEscapesToSendLoop) {
    co_return e;  // 4.9.0: no catch here (#3556)
  }
  // 4.9.3 (80bcfbc926): catch (Exception ex) around invokeAsync.
  const int64_t cost = ctx_.now_ms() - begin;
  UpdateFaultItem(broker, cost, true, async->msg.id);
  co_await OnExceptionImpl(t, broker, timeout - cost, std::move(for_retry), async, e, true,
                           /*from_catch_all=*/true);
  co_return Ok();
}

Task<void> ProducerClient::OperationComplete(SimThread& t, std::shared_ptr<ResponseFuture> rf,
                                             const std::string& broker,
                                             const std::optional<std::string>& addr,
                                             int64_t timeout, int64_t begin,
                                             const RemotingCommand& req,
                                             const std::shared_ptr<AsyncSend>& async) {
  co_await Step(t);
  const int64_t cost = ctx_.now_ms() - begin;
  const Message& msg = async->msg;
  if (rf->response) {
    Try<SendResult> r = ProcessSendResponse(broker, *rf->response, AddrOrNull(addr));
    if (r.ok()) {
      ctx_.recorder.EndAttempt(msg.index, req.attempt, ctx_.sched.now(), r.value().send_status);
      CallbackOnSuccess(async, &r.value());  // sendCallback.onSuccess
      UpdateFaultItem(broker, ctx_.now_ms() - rf->begin_ms, false, msg.id);
      co_return;
    }
    ctx_.recorder.EndAttempt(msg.index, req.attempt, ctx_.sched.now(), ResultName(r.ex()),
                             r.ex()->message);
    UpdateFaultItem(broker, ctx_.now_ms() - rf->begin_ms, true, msg.id);
    co_await OnExceptionImpl(t, broker, timeout - cost, req, async, r.ex(), false);
    co_return;
  }
  UpdateFaultItem(broker, ctx_.now_ms() - rf->begin_ms, true, msg.id);
  std::string text;
  if (!rf->send_request_ok) {
    text = "send request failed";
  } else if (rf->IsTimeout(ctx_.now_ms())) {
    text = absl::StrFormat("wait response timeout %dms", rf->timeout_ms);
  } else {
    text = "unknow reseaon";
  }
  ExPtr ex = MakeEx(ExClass::kMQClientException, text);
  ctx_.recorder.EndAttempt(msg.index, req.attempt, ctx_.sched.now(), ResultName(ex), text);
  co_await OnExceptionImpl(t, broker, timeout - cost, req, async, ex, true);
}

Task<void> ProducerClient::OnExceptionImpl(SimThread& t, std::string broker, int64_t timeout,
                                           RemotingCommand req, std::shared_ptr<AsyncSend> async,
                                           ExPtr e, bool need_retry, bool from_catch_all) {
  const Message& msg = async->msg;
  const int32_t prev_attempt = req.attempt;
  const int32_t tmp = ++async->times;
  const int32_t allowed = ctx_.settings.retry_times_when_send_async_failed;
  // 5.3.3 also requires budget left: `&& timeoutMillis > 0`.
  const bool budget_ok = !ctx_.profile.async_retry_requires_budget || timeout > 0;
  if (!(need_retry && tmp <= allowed && budget_ok)) {
    std::string decision =
        // (5.3.3 wraps the throwable in MQClientException: name the throwable that decided.)
        !need_retry ? absl::StrCat("no retry: needRetry=false (",
                                   e->cause ? e->cause->ClassName() : e->ClassName(),
                                   "): onException")
        : tmp > allowed
            ? absl::StrFormat("no retry: async retries used up (times=%d > "
                              "retryTimesWhenSendAsyncFailed=%d): onException",
                              tmp, allowed)
            : absl::StrFormat("no retry: budget %d ms left (retry needs > 0): onException",
                              timeout);
    ctx_.recorder.SetCallbackDecision(msg.index, prev_attempt, std::move(decision));
    CallbackOnException(async, e);  // sendCallback.onException(e)
    co_return;
  }
  std::string retry_broker = broker;
  if (async->tp) {
    retry_broker = SelectOneMessageQueue(t, *async->tp, &broker, msg.id).mq->broker_name;
  }
  std::optional<std::string> addr = FindBrokerAddressInPublish(retry_broker);
  ctx_.recorder.SetDecision(
      msg.index, prev_attempt,
      absl::StrCat(from_catch_all ? "caught in sendMessageAsync" : "onExceptionImpl",
                   ", retried on ", retry_broker, " (async retry ", tmp, " of ", allowed, ")"));
  req.opaque = remoting_.NextOpaque();
  req.attempt = ctx_.recorder.BeginAttempt(msg.index, retry_broker, req.queue_id,
                                           ctx_.sched.now(), OnExceptionImplPath(), t.name());
  RMQ_CTX_LOG(ctx_, "retry_decision", msg.id,
      absl::StrFormat("async retry %d of %d to %s (%s) keeping queueId %d", tmp, allowed,
                      retry_broker, addr.value_or("null: name-server channel"), req.queue_id));
  RemotingCommand for_catch = req;
  TryVoid r = Ok();
  if (ctx_.profile.async_callback == AsyncCallback::kSucceedOrFail) {
    r = co_await SendMessageAsync5(t, addr ? &*addr : nullptr, retry_broker, timeout,
                                   std::move(req), async);
  } else {
    r = co_await SendMessageAsync(t, addr ? &*addr : nullptr, retry_broker, timeout, std::move(req),
                                  async);
  }
  if (r.ok()) co_return;
  // 4.9.0 only: sendMessageAsync let the exception out; onExceptionImpl's per-type catch blocks.
  // (4.9.3 still has equivalent blocks, dead behind the catch-all; 4.9.8 and 5.3.3 removed them.)
  RMQ_CHECK(ctx_.profile.async_retry_catch == AsyncRetryCatch::kPerTypeOnPreviousBroker)
      << "sendMessageAsync threw under profile " << ctx_.profile.name;
  const ExPtr& e1 = r.ex();
  switch (e1->cls) {
    case ExClass::kInterruptedException:
    case ExClass::kRemotingTooMuchRequestException:
      co_await OnExceptionImpl(t, retry_broker, timeout, std::move(for_catch), async, e1, false);
      co_return;
    default:
      if (e1->IsRemoting()) {
        // Quirk Q2: the 600 s isolation lands on the *previous* broker.
        UpdateFaultItem(broker, 3000, true, msg.id);
        co_await OnExceptionImpl(t, retry_broker, timeout, std::move(for_catch), async, e1, true);
        co_return;
      }
      CallbackOnException(async, e1);
  }
}

// ---- MQClientAPIImpl, 5.3.3 [API@rocketmq-all-5.3.3] -----------------------------------------

Task<TryVoid> ProducerClient::SendMessageAsync5(SimThread& t, const std::string* addr,
                                                const std::string& broker, int64_t timeout,
                                                RemotingCommand&& req,
                                                const std::shared_ptr<AsyncSend>& async) {
  const int64_t begin = ctx_.now_ms();
  const int32_t attempt = req.attempt;
  // The InvokeCallback's captures live in one shared block with the request: the same request
  // object is sent and, on retry, re-sent, so the wire shares it (an aliasing pointer into the
  // block), and the callable itself then holds no more than two pointers and fits in place (one
  // heap allocation per send instead of two).
  auto captures = std::make_shared<const AsyncCallCaptures>(
      AsyncCallCaptures{std::move(req), broker, OptionalAddr(addr), timeout, begin});
  std::shared_ptr<const RemotingCommand> request(captures, &captures->request);
  // (The callback can run twice, quirk Q9: its captures are read, never moved from.)
  // (Not a coroutine: the result is moved on into operationSucceed before this returns.)
  InvokeResultCallback callback = [this, captures, async](SimThread& ct,
                                                         Try<RemotingCommand>&& r) -> Task<void> {
    const AsyncCallCaptures* c = captures.get();
    if (r.ok()) {
      return OperationSucceed(ct, std::move(r.value()), c->broker, c->addr, c->timeout, c->begin,
                              c->request, async);
    }
    return OperationFail(ct, r.ex(), c->broker, c->timeout, c->begin, c->request, async);
  };
  TryVoid r =
      co_await remoting_.InvokeAsyncListener(t, addr, request, timeout, std::move(callback));
  if (r.ok()) co_return Ok();
  // catch (Exception ex): updateFaultItem(broker, cost, true, false), retry.
  const ExPtr& e = r.ex();
  ctx_.recorder.EndAttempt(async->msg.index, attempt, ctx_.sched.now(), ResultName(e), e->message);
  const int64_t cost = ctx_.now_ms() - begin;
  UpdateFaultItem(broker, cost, true, async->msg.id, /*reachable=*/false);
  co_await OnExceptionImpl(t, broker, timeout - cost, *request, async, e, true,
                           /*from_catch_all=*/true);
  co_return Ok();
}

Task<void> ProducerClient::OperationSucceed(SimThread& t, RemotingCommand resp,
                                            const std::string& broker,
                                            const std::optional<std::string>& addr, int64_t timeout,
                                            int64_t begin, const RemotingCommand& req,
                                            const std::shared_ptr<AsyncSend>& async) {
  co_await Step(t);
  const int64_t cost = ctx_.now_ms() - begin;
  const Message& msg = async->msg;
  Try<SendResult> r = ProcessSendResponse(broker, resp, AddrOrNull(addr));
  if (r.ok()) {
    ctx_.recorder.EndAttempt(msg.index, req.attempt, ctx_.sched.now(), r.value().send_status);
    CallbackOnSuccess(async, &r.value());  // sendCallback.onSuccess
    UpdateFaultItem(broker, ctx_.now_ms() - begin, false, msg.id, /*reachable=*/true);
    co_return;
  }
  ctx_.recorder.EndAttempt(msg.index, req.attempt, ctx_.sched.now(), ResultName(r.ex()),
                           r.ex()->message);
  UpdateFaultItem(broker, ctx_.now_ms() - begin, true, msg.id, /*reachable=*/true);
  co_await OnExceptionImpl(t, broker, timeout - cost, req, async, r.ex(), false);
}

Task<void> ProducerClient::OperationFail(SimThread& t, ExPtr throwable, const std::string& broker,
                                         int64_t timeout, int64_t begin,
                                         const RemotingCommand& req,
                                         const std::shared_ptr<AsyncSend>& async) {
  co_await Step(t);
  const Message& msg = async->msg;
  UpdateFaultItem(broker, ctx_.now_ms() - begin, true, msg.id, /*reachable=*/true);
  const int64_t cost = ctx_.now_ms() - begin;
  ctx_.recorder.EndAttempt(msg.index, req.attempt, ctx_.sched.now(), throwable->ClassName(),
                           throwable->message);
  ExPtr ex;
  bool need_retry = true;
  switch (throwable->cls) {
    case ExClass::kRemotingSendRequestException:
      ex = MakeEx(ExClass::kMQClientException, "send request failed", throwable);
      break;
    case ExClass::kRemotingTimeoutException:
      ex = MakeEx(ExClass::kMQClientException, absl::StrCat("wait response timeout, cost=", cost),
                  throwable);
      break;
    default:
      ex = MakeEx(ExClass::kMQClientException, "unknown reason", throwable);
      need_retry = throwable->cls != ExClass::kRemotingTooMuchRequestException;
      break;
  }
  co_await OnExceptionImpl(t, broker, timeout - cost, req, async, ex, need_retry);
}

// ---- LatencyFaultToleranceImpl detector, 5.3.3 ----------------------------------------------

Task<void> ProducerClient::DetectorRound(SimThread& t) {
  // Resolver: mQClientFactory.findBrokerAddressInPublish(name)
  MQFaultStrategy::Resolve resolve = [this](const std::string& broker) {
    return FindBrokerAddressInPublish(broker);
  };
  // ServiceDetector: getMaxOffset(endpoint, (first publish topic, null broker, queue 0),
  // detectTimeout) by invokeSync; any exception means "not OK".
  MQFaultStrategy::Detect detect = [this](SimThread& dt, std::string addr) -> Task<bool> {
    if (topic_publish_info_table_.empty()) co_return false;
    RemotingCommand req;
    req.type = RemotingCommand::Type::kGetMaxOffset;
    req.topic = topic_publish_info_table_.begin()->first;
    req.queue_id = 0;
    req.opaque = remoting_.NextOpaque();
    Try<RemotingCommand> r = co_await remoting_.InvokeSync(dt, &addr, std::move(req),
                                                           ctx_.settings.detect_timeout.floor_ms());
    co_return r.ok() && r.value().code == code::kSuccess;
  };
  std::function<void(std::string)> log = [this](std::string line) {
    RMQ_CTX_LOG(ctx_, "detector", "", std::move(line));
  };
  co_await fault_.DetectByOneRound(t, ctx_.settings.detect_interval.floor_ms(), resolve, detect,
                                   log);
}

// ---- MQClientInstance -----------------------------------------------------------------------

Task<Try<bool>> ProducerClient::UpdateTopicRouteInfoFromNameServer(SimThread& t,
                                                                   const std::string& topic,
                                                                   bool is_default) {
  bool locked = co_await lock_namesrv_.TryAcquire(SimDuration::Millis(3000));
  if (!locked) {
    RMQ_CTX_LOG(ctx_, "route_poll", "", "updateTopicRouteInfoFromNameServer tryLock timeout 3000ms: " + topic);
    co_return false;
  }
  RemotingCommand req;
  req.type = RemotingCommand::Type::kGetRoute;
  req.route_topic = is_default ? std::string(kDefaultTopic) : topic;
  req.opaque = remoting_.NextOpaque();
  Try<RemotingCommand> resp = co_await remoting_.InvokeSync(
      t, nullptr, std::move(req), ctx_.settings.mq_client_api_timeout.floor_ms());
  if (!resp.ok()) {
    lock_namesrv_.Release();
    RMQ_CTX_LOG(ctx_, "route_poll", "", topic + ": " + resp.ex()->Describe());
    co_return MakeEx(ExClass::kIllegalStateException, resp.ex()->Describe(), resp.ex());
  }
  if (resp.value().code != code::kSuccess) {
    lock_namesrv_.Release();
    RMQ_CTX_LOG(ctx_, "route_poll", "", absl::StrCat(topic, is_default ? " (default route)" : "", ": ",
                                      code::Name(resp.value().code), " ", resp.value().remark.str()));
    co_return false;
  }
  TopicRouteData route = *std::static_pointer_cast<const TopicRouteData>(resp.value().body);
  if (is_default) {
    for (QueueData& qd : route.queue_datas) {
      int32_t n = std::min(ctx_.settings.default_topic_queue_nums, qd.read_queue_nums);
      qd.read_queue_nums = n;
      qd.write_queue_nums = n;
    }
  }
  TopicRouteData sorted = route;
  sorted.SortByBrokerName();
  auto old = topic_route_table_.find(topic);
  bool changed = old == topic_route_table_.end() || !(old->second == sorted);
  if (!changed) {
    std::shared_ptr<TopicPublishInfo> prev = publish_info(topic);
    changed = !prev || !prev->ok();
  }
  if (changed) {
    for (const BrokerData& bd : route.broker_datas) broker_addr_table_[bd.broker_name] = bd.broker_addrs;
    ++route_version_;
    std::shared_ptr<TopicPublishInfo> info = BuildTopicPublishInfo(
        topic, route, ctx_.seed,
        absl::StrCat(ctx_.actor(), "/tpi:", topic, "#", route_version_),
        ctx_.profile.thread_index_overflow, ctx_.profile.thread_index_start);
    info->have_topic_router_info = true;
    info->version = route_version_;
    topic_publish_info_table_[topic] = info;
    topic_route_table_[topic] = sorted;
    std::vector<std::string> queues;
    for (const auto& mq : info->message_queue_list) {
      queues.push_back(absl::StrCat(mq->broker_name, ":", mq->queue_id));
    }
    RMQ_CTX_LOG(ctx_, "route_changed", "",
        absl::StrCat(topic, is_default ? " (from TBW102)" : "", ": new publish info v",
                     route_version_, " [", absl::StrJoin(queues, " "), "]"));
  }
  lock_namesrv_.Release();
  co_return changed;
}

Task<void> ProducerClient::UpdateAllTopicRoutes(SimThread& t) {
  std::vector<std::string> topics;
  for (const auto& [topic, info] : topic_publish_info_table_) topics.push_back(topic);
  RMQ_CTX_LOG(ctx_, "route_poll", "", "updateTopicRouteInfoFromNameServer: " + absl::StrJoin(topics, ", "));
  for (const std::string& topic : topics) {
    Try<bool> r = co_await UpdateTopicRouteInfoFromNameServer(t, topic, false);
    if (!r.ok()) co_return;  // the IllegalStateException ends this run of the task
  }
}

Task<void> ProducerClient::CleanOfflineBrokerAndHeartbeat(SimThread& t) {
  // cleanOfflineBroker: drop addresses no cached route mentions.
  for (auto it = broker_addr_table_.begin(); it != broker_addr_table_.end();) {
    bool found = false;
    for (const auto& [topic, route] : topic_route_table_) {
      for (const BrokerData& bd : route.broker_datas) {
        if (bd.broker_name == it->first) found = true;
      }
    }
    if (!found) {
      RMQ_CTX_LOG(ctx_, "broker_offline", "", "cleanOfflineBroker removed " + it->first);
      it = broker_addr_table_.erase(it);
    } else {
      ++it;
    }
  }
  // sendHeartbeatToAllBroker: invokeSync to every master, 3000 ms each, one after another.
  std::vector<std::string> addrs;
  for (const auto& [name, ids] : broker_addr_table_) {
    auto m = ids.find(0);
    if (m != ids.end()) addrs.push_back(m->second);
  }
  for (const std::string& addr : addrs) {
    RemotingCommand req;
    req.type = RemotingCommand::Type::kHeartbeat;
    req.opaque = remoting_.NextOpaque();
    Try<RemotingCommand> r = co_await remoting_.InvokeSync(t, &addr, std::move(req), 3000);
    if (!r.ok()) RMQ_CTX_LOG(ctx_, "heartbeat", "", "heartbeat to " + addr + " failed: " + r.ex()->Describe());
  }
}

}  // namespace rmqsim::sim
