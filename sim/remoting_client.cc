#include "sim/remoting_client.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/java.h"
#include "core/random.h"
#include "sim/response_code.h"

namespace rmqsim::sim {

namespace java = core::java;

namespace {
// Channel.remoteAddress().toString() of a connected channel to an IP literal: "/10.0.0.1:10911".
std::string RemoteAddress(const std::shared_ptr<Channel>& ch) { return "/" + ch->addr(); }

// What 5.3.3's ResponseFuture.executeInvokeCallback passes on: operationSucceed(response), else
// operationFail(RemotingSendRequestException or RemotingTimeoutException). The response is moved
// out: the future has left the response table, and the callback runs once.
Try<RemotingCommand> TakeResult(ResponseFuture& rf) {
  if (rf.response) return std::move(*rf.response);
  if (!rf.send_request_ok) {
    return MakeEx(ExClass::kRemotingSendRequestException,
                  "send request to <" + RemoteAddress(rf.channel) + "> failed");
  }
  // isTimeout() holds for everything the scanner removes (no other way here leaves a future
  // without a response and with sendRequestOK).
  return MakeEx(ExClass::kRemotingTimeoutException,
                absl::StrFormat("wait response on the channel <%s> timeout, %d(ms)",
                                RemoteAddress(rf.channel), rf.timeout_ms));
}
}  // namespace

RemotingClient::RemotingClient(ClientContext& ctx, std::vector<std::string> namesrv_addrs)
    : ctx_(ctx),
      namesrv_addrs_(std::move(namesrv_addrs)),
      semaphore_async_(ctx.sched, ctx.settings.client_async_semaphore_value),
      semaphore_oneway_(ctx.sched, ctx.settings.client_oneway_semaphore_value),
      callback_executor_(ctx.sched, ctx.scope, "NettyClientPublicExecutor_",
                         ctx.settings.client_callback_executor_threads, SIZE_MAX),
      event_loop_(ctx.sched, ctx.scope, "NettyClientSelector_", 1, SIZE_MAX) {
  core::Rng rng = core::Rng::ForStream(ctx.seed, ctx.id + "/namesrvIndex");
  if (ctx.profile.namesrv_channel == NamesrvChannel::kChooseOneAsync) {
    namesrv_index_ = rng.NextJavaInt(999);  // new Random().nextInt(999) [NRC@5.3.3 initValueIndex]
  } else {
    // namesrvIndex = Math.abs(new Random().nextInt() % 999) % 999 [NRC initValueIndex].
    namesrv_index_ = java::Rem(java::Abs(java::Rem(rng.NextJavaInt(), 999)), 999);
  }
}

void RemotingClient::Start() {
  if (ctx_.profile.timeout_scanner == TimeoutScanner::kWheelFixedDelay) {
    // HashedWheelTimer (tick 100 ms): newTimeout(task, 3000 ms) fires on the tick that ends at
    // 3100 ms; the task re-arms newTimeout(this, 1000 ms) in finally, which fires 1100 ms later
    // (rocketmq-behaviour.md §4.3, measured) [NRC@5.3.3 start].
    ctx_.sched.ScheduleAfter(SimDuration::Millis(3100), [this] { ScanOnWheel(); });
  }
  if (ctx_.profile.namesrv_channel == NamesrvChannel::kChooseOneAsync) {
    // isScanAvailableNameSrv (default true): newTimeout(scan, 0) on the same wheel fires at the
    // first tick (100 ms), then re-arms newTimeout(this, connectTimeoutMillis) [NRC@5.3.3 start].
    ctx_.sched.ScheduleAfter(SimDuration::Millis(100), [this] { ScanAvailableNameSrv(); });
  }
  if (ctx_.profile.timeout_scanner == TimeoutScanner::kWheelFixedDelay) return;
  ctx_.sched.SchedulePeriodic(ctx_.sched.now() + SimDuration::Millis(3000),
                              SimDuration::Millis(1000), [this] { ScanResponseTable(); });
}

void RemotingClient::ScanOnWheel() {
  ScanResponseTable();
  ctx_.sched.ScheduleAfter(SimDuration::Millis(1100), [this] { ScanOnWheel(); });
}

void RemotingClient::ScanAvailableNameSrv() {
  // For every name server, getAndCreateChannel(addr) on a NettyClientScan_thread: a channel that
  // is OK or still connecting is left alone, anything else gets a new connect. Which name server
  // is chosen does not change [NRC@5.3.3 scanAvailableNameSrv].
  for (const std::string& addr : namesrv_addrs_) {
    auto it = channel_tables_.find(addr);
    if (it != channel_tables_.end()) {
      if (it->second.IsOK() || !it->second.future->done) continue;
      channel_tables_.erase(it);
    }
    StartConnect(addr);
  }
  // The wheel rounds each deadline up to the next 100 ms tick: re-armed for 3000 ms, it runs
  // 3100 ms later (connectTimeoutMillis; the default).
  const SimDuration next =
      ctx_.settings.connect_timeout + SimDuration::Millis(100) -
      SimDuration::Nanos(ctx_.settings.connect_timeout.ns() % SimDuration::Millis(100).ns());
  ctx_.sched.ScheduleAfter(next, [this] { ScanAvailableNameSrv(); });
}

core::Delay RemotingClient::Resumed(SimThread& t) {
  (void)t;
  return ctx_.Step();
}

std::string RemotingClient::AddrText(const std::string* addr) const {
  return addr == nullptr ? std::string("null") : *addr;
}

Task<std::shared_ptr<Channel>> RemotingClient::GetAndCreateChannel(SimThread& t,
                                                                   const std::string* addr,
                                                                   bool* namesrv_all_failed) {
  if (addr == nullptr) co_return co_await GetAndCreateNameserverChannel(t, namesrv_all_failed);
  auto it = channel_tables_.find(*addr);
  if (it != channel_tables_.end() && it->second.IsOK()) co_return it->second.future->channel;
  co_return co_await CreateChannel(t, *addr);
}

Task<std::shared_ptr<Channel>> RemotingClient::GetAndCreateNameserverChannel(SimThread& t,
                                                                             bool* all_failed) {
  if (!namesrv_chosen_.empty()) {
    auto it = channel_tables_.find(namesrv_chosen_);
    if (it != channel_tables_.end() && it->second.IsOK()) co_return it->second.future->channel;
  }
  const int32_t n = static_cast<int32_t>(namesrv_addrs_.size());
  for (int32_t i = 0; i < n; ++i) {
    namesrv_index_ = java::Increment(namesrv_index_);
    int32_t index = java::Rem(java::Abs(namesrv_index_), n);
    if (index < 0) index = 0;  // abs(MIN_VALUE) % n: Java would throw; cannot occur in a run
    std::string new_addr = namesrv_addrs_[static_cast<size_t>(index)];
    if (new_addr != namesrv_chosen_) {
      RMQ_CTX_LOG(ctx_, "namesrv_chosen", "", "new name server is chosen: " + new_addr);
    }
    namesrv_chosen_ = new_addr;
    std::shared_ptr<Channel> ch = co_await CreateChannel(t, new_addr);
    if (ch) co_return ch;
  }
  *all_failed = true;
  co_return nullptr;
}

Task<std::shared_ptr<Channel>> RemotingClient::CreateChannel(SimThread& t, const std::string& addr) {
  (void)t;
  auto it = channel_tables_.find(addr);
  if (it != channel_tables_.end() && it->second.IsOK()) co_return it->second.future->channel;
  bool create_new = true;
  if (it != channel_tables_.end()) {
    if (!it->second.future->done) {
      create_new = false;  // a connect is already pending: wait for it
    } else {
      channel_tables_.erase(it);
    }
  }
  std::shared_ptr<ConnectFuture> future;
  if (create_new) {
    future = StartConnect(addr);
  } else {
    future = it->second.future;
  }
  // channelFuture.awaitUninterruptibly(connectTimeoutMillis)
  bool done = co_await future->latch.Wait(ctx_.settings.connect_timeout);
  co_await Resumed(t);
  if (done && future->channel && future->channel->active()) co_return future->channel;
  co_return nullptr;
}

RemotingClient::~RemotingClient() {
  for (auto& [addr, wrapper] : channel_tables_) {
    if (wrapper.future) wrapper.future->listeners.clear();
  }
}

std::shared_ptr<RemotingClient::ConnectFuture> RemotingClient::StartConnect(
    const std::string& addr) {
  auto future = std::make_shared<ConnectFuture>(ctx_.sched, addr);
  channel_tables_[addr] = ChannelWrapper{future};
  RMQ_CTX_LOG(ctx_, "connect", "", "connect to " + addr);
  std::weak_ptr<ConnectFuture> weak = future;
  ctx_.net.Connect(this, ctx_.group, ctx_.actor(), addr,
                   [this, weak](Network::ConnectResult r, std::shared_ptr<Channel> ch) {
                     auto f = weak.lock();
                     if (!f || f->done) {
                       if (ch) ctx_.net.CloseFromClient(ch);  // Netty gave up on it already
                       return;
                     }
                     f->done = true;
                     if (r == Network::ConnectResult::kConnected) f->channel = ch;
                     RMQ_CTX_LOG(ctx_, "connect_result", "",
                              f->addr + (ch ? ": connected" : ": connection refused"));
                     CompleteConnect(f);
                   });
  // Netty's CONNECT_TIMEOUT_MILLIS fails a connect that has not completed.
  ctx_.sched.ScheduleAfter(ctx_.settings.connect_timeout, [this, weak] {
    auto f = weak.lock();
    if (!f || f->done) return;
    f->done = true;
    RMQ_CTX_LOG(ctx_, "connect_result", "", f->addr + ": connect timed out");
    CompleteConnect(f);
  });
  return future;
}

void RemotingClient::CompleteConnect(const std::shared_ptr<ConnectFuture>& f) {
  f->latch.CountDown();
  std::vector<core::Job> listeners;
  listeners.swap(f->listeners);
  for (core::Job& job : listeners) event_loop_.Submit(std::move(job));
}

void RemotingClient::AddListener(const std::shared_ptr<ConnectFuture>& f, core::Job listener) {
  if (f->done) {
    event_loop_.Submit(std::move(listener));
  } else {
    f->listeners.push_back(std::move(listener));
  }
}

void RemotingClient::CloseChannel(const std::string& addr, const std::shared_ptr<Channel>& ch) {
  if (!ch) return;
  auto it = channel_tables_.find(addr);
  if (it != channel_tables_.end() && it->second.future->channel == ch) channel_tables_.erase(it);
  CloseChannel(ch);
}

void RemotingClient::CloseChannel(const std::shared_ptr<Channel>& ch) {
  for (auto it = channel_tables_.begin(); it != channel_tables_.end(); ++it) {
    if (it->second.future->channel == ch) {
      channel_tables_.erase(it);
      break;
    }
  }
  bool pipeline_intact = !ch->pipeline_destroyed();
  ctx_.net.CloseFromClient(ch);
  RMQ_CTX_LOG(ctx_, "channel_closed", "",
           ch->addr() + (pipeline_intact ? ": closed by client, pending requests fail fast"
                                         : ": closed by client; pipeline already gone, no failFast"));
  // NettyConnectManageHandler.close runs only while the pipeline still has its handlers.
  if (pipeline_intact) FailFast(ch);
}

void RemotingClient::FailFast(const std::shared_ptr<Channel>& ch) {
  std::vector<int32_t> opaques;
  for (const auto& [opaque, rf] : response_table_.entries()) {
    if (rf->channel == ch) opaques.push_back(opaque);
  }
  for (int32_t o : opaques) RequestFail(o);
}

void RemotingClient::RequestFail(int32_t opaque) {
  std::shared_ptr<ResponseFuture> rf = response_table_.Remove(opaque);
  if (!rf) return;
  rf->send_request_ok = false;
  rf->response.reset();
  rf->latch.CountDown();  // putResponse(null)
  ExecuteInvokeCallback(rf);
  rf->Release();
}

void RemotingClient::ExecuteInvokeCallback(const std::shared_ptr<ResponseFuture>& rf) {
  if (!rf->has_callback()) return;
  callback_executor_.Submit([this, rf](SimThread& t) -> Task<void> {
    if (!rf->callback_run) {
      rf->callback_run = true;
      if (rf->result_callback) {
        co_await RunResultCallback(t, *rf);
      } else {
        co_await rf->callback(t, rf);
      }
    }
    rf->Release();
  });
}

// Not a coroutine, as invokeImpl's thenCompose step was not: it hands back the task to await.
Task<void> RemotingClient::RunResultCallback(SimThread& t, ResponseFuture& rf) {
  Try<RemotingCommand> r = TakeResult(rf);
  if (!rf.go_away || !r.ok() || r.value().code != code::kGoAway) {
    return rf.result_callback(t, std::move(r));
  }
  // The callback is handed on: the future has left the response table and runs it only once.
  ResponseFuture::GoAwayStep& step = *rf.go_away;
  return OnGoAway(t, rf.channel, step.req, step.timeout_ms, step.start_ms,
                  std::move(rf.result_callback));
}

void RemotingClient::ScanResponseTable() {
  int64_t now = ctx_.now_ms();
  std::vector<std::shared_ptr<ResponseFuture>> expired =
      response_table_.RemoveIf([now](const ResponseFuture& rf) {
        return rf.begin_ms + rf.timeout_ms + 1000 <= now;
      });
  for (const auto& rf : expired) rf->Release();
  for (const auto& rf : expired) {
    RMQ_CTX_LOG(ctx_, "request_timeout", "",
             absl::StrFormat("scanner removed request %d to %s (begin %d ms + timeout %d ms + 1000)",
                             rf->opaque, rf->channel->addr(), rf->begin_ms, rf->timeout_ms));
    ExecuteInvokeCallback(rf);
  }
}

void RemotingClient::OnResponse(const std::shared_ptr<Channel>& ch, RemotingCommand&& resp) {
  (void)ch;
  std::shared_ptr<ResponseFuture> rf = response_table_.Remove(resp.opaque);
  if (!rf) {
    RMQ_CTX_LOG(ctx_, "response_dropped", resp.msg_id,
             absl::StrFormat("response to request %d arrived after it was given up", resp.opaque));
    return;
  }
  rf->response = std::move(resp);
  if (rf->has_callback()) {
    ExecuteInvokeCallback(rf);
  } else {
    rf->latch.CountDown();
    rf->Release();
  }
}

void RemotingClient::OnPeerClosed(const std::shared_ptr<Channel>& ch) {
  if (ctx_.profile.fail_fast_on_peer_close) {
    // NettyConnectManageHandler.channelInactive -> closeChannel(channel): only a channel still in
    // the channel table is removed and closed through the pipeline, whose close() runs failFast
    // (the handlers are still attached while channelInactive runs) [NRC@5.3.3].
    for (auto it = channel_tables_.begin(); it != channel_tables_.end(); ++it) {
      if (it->second.future->channel == ch) {
        channel_tables_.erase(it);
        RMQ_CTX_LOG(ctx_, "channel_inactive", "",
                 ch->addr() + ": peer closed the connection (FIN); channelInactive closes it, "
                              "pending requests fail fast");
        FailFast(ch);
        return;
      }
    }
    RMQ_CTX_LOG(ctx_, "channel_inactive", "",
             ch->addr() + ": peer closed a connection no longer in the channel table; nothing "
                          "fails fast");
    return;
  }
  RMQ_CTX_LOG(ctx_, "channel_inactive", "",
           ch->addr() + ": peer closed the connection (FIN); 4.9.x fails no pending request");
}

void RemotingClient::OnPeerReset(const std::shared_ptr<Channel>& ch) {
  RMQ_CTX_LOG(ctx_, "channel_reset", "", ch->addr() + ": connection reset by peer (RST)");
  CloseChannel(ch);
}

Task<Try<RemotingCommand>> RemotingClient::InvokeSync(SimThread& t, const std::string* addr,
                                                      RemotingCommand req, int64_t timeout_ms) {
  if (ctx_.profile.sync_uses_async_semaphore) {
    co_return co_await InvokeSyncViaInvokeImpl(t, addr, std::move(req), timeout_ms);
  }
  int64_t begin = ctx_.now_ms();
  bool ns_failed = false;
  std::shared_ptr<Channel> ch = co_await GetAndCreateChannel(t, addr, &ns_failed);
  if (ns_failed) {
    co_return MakeEx(ExClass::kRemotingConnectException,
                     "connect to [" + absl::StrJoin(namesrv_addrs_, ", ") + "] failed");
  }
  std::string addr_text = addr != nullptr ? *addr : namesrv_chosen_;
  if (!ch || !ch->active()) {
    CloseChannel(addr_text, ch);
    co_return MakeEx(ExClass::kRemotingConnectException, "connect to " + AddrText(addr) + " failed");
  }
  int64_t cost = ctx_.now_ms() - begin;
  if (timeout_ms < cost) {
    std::string text = ctx_.profile.call_timeout_text_has_addr
                           ? "invokeSync call the addr[" + AddrText(addr) + "] timeout"
                           : "invokeSync call timeout";
    if (ctx_.settings.client_close_socket_if_timeout) CloseChannel(addr_text, ch);
    co_return MakeEx(ExClass::kRemotingTimeoutException, text);
  }
  int64_t wait_ms = timeout_ms - cost;
  auto rf = std::make_shared<ResponseFuture>(ctx_.sched);
  rf->opaque = req.opaque;
  rf->channel = ch;
  rf->timeout_ms = wait_ms;
  rf->begin_ms = ctx_.now_ms();
  response_table_.Put(req.opaque, rf);
  int32_t opaque = req.opaque;
  if (!ctx_.net.SendRequest(ch, std::make_shared<const RemotingCommand>(std::move(req)))) {
    rf->send_request_ok = false;
    response_table_.Remove(opaque);
    rf->latch.CountDown();
  }
  bool answered_at_once = rf->latch.released();
  co_await rf->latch.Wait(SimDuration::Millis(wait_ms));
  if (!answered_at_once && wait_ms > 0) co_await Resumed(t);
  response_table_.Remove(opaque);
  if (rf->response) co_return *rf->response;
  if (rf->send_request_ok) {
    if (ctx_.settings.client_close_socket_if_timeout) CloseChannel(addr_text, ch);
    co_return MakeEx(ExClass::kRemotingTimeoutException,
                     absl::StrFormat("wait response on the channel <%s> timeout, %d(ms)", ch->addr(),
                                     wait_ms));
  }
  CloseChannel(addr_text, ch);
  co_return MakeEx(ExClass::kRemotingSendRequestException,
                   "send request to <" + ch->addr() + "> failed");
}

Task<TryVoid> RemotingClient::InvokeAsync(SimThread& t, const std::string* addr,
                                          RemotingCommand req, int64_t timeout_ms,
                                          InvokeCallback cb) {
  int64_t begin = ctx_.now_ms();
  bool ns_failed = false;
  std::shared_ptr<Channel> ch = co_await GetAndCreateChannel(t, addr, &ns_failed);
  if (ns_failed) {
    co_return MakeEx(ExClass::kRemotingConnectException,
                     "connect to [" + absl::StrJoin(namesrv_addrs_, ", ") + "] failed");
  }
  std::string addr_text = addr != nullptr ? *addr : namesrv_chosen_;
  if (!ch || !ch->active()) {
    CloseChannel(addr_text, ch);
    co_return MakeEx(ExClass::kRemotingConnectException, "connect to " + AddrText(addr) + " failed");
  }
  int64_t cost = ctx_.now_ms() - begin;
  if (timeout_ms < cost) {
    co_return MakeEx(ExClass::kRemotingTooMuchRequestException,
                     ctx_.profile.call_timeout_text_has_addr
                         ? "invokeAsync call the addr[" + AddrText(addr) + "] timeout"
                         : "invokeAsync call timeout");
  }
  // invokeAsyncImpl(channel, request, timeoutMillis - costTime, callback)
  int64_t t2 = timeout_ms - cost;
  int64_t begin2 = ctx_.now_ms();
  bool acquired = co_await semaphore_async_.TryAcquire(SimDuration::Millis(t2));
  if (!acquired) {
    if (t2 <= 0) {
      co_return MakeEx(ExClass::kRemotingTooMuchRequestException,
                       "invokeAsyncImpl invoke too fast");
    }
    co_return MakeEx(
        ExClass::kRemotingTimeoutException,
        absl::StrFormat("invokeAsyncImpl tryAcquire semaphore timeout, %dms, waiting thread nums: "
                        "%d semaphoreAsyncValue: %d",
                        t2, semaphore_async_.queue_length(), semaphore_async_.available()));
  }
  int64_t cost2 = ctx_.now_ms() - begin2;
  if (t2 < cost2) {
    semaphore_async_.Release();
    co_return MakeEx(ExClass::kRemotingTimeoutException, "invokeAsyncImpl call timeout");
  }
  auto rf = std::make_shared<ResponseFuture>(ctx_.sched);
  rf->opaque = req.opaque;
  rf->channel = ch;
  rf->timeout_ms = t2 - cost2;
  rf->begin_ms = ctx_.now_ms();
  rf->callback = std::move(cb);
  rf->release_to = &semaphore_async_;
  response_table_.Put(req.opaque, rf);
  int32_t opaque = req.opaque;
  if (!ctx_.net.SendRequest(ch, std::make_shared<const RemotingCommand>(std::move(req)))) {
    RequestFail(opaque);  // write listener failure
  }
  co_return Ok();
}

Task<TryVoid> RemotingClient::InvokeOneway(SimThread& t, const std::string* addr,
                                           RemotingCommand req, int64_t timeout_ms) {
  if (ctx_.profile.oneway_connect_async) {
    co_return co_await InvokeOnewayListener(t, addr, std::move(req), timeout_ms);
  }
  bool ns_failed = false;
  std::shared_ptr<Channel> ch = co_await GetAndCreateChannel(t, addr, &ns_failed);
  if (ns_failed) {
    co_return MakeEx(ExClass::kRemotingConnectException,
                     "connect to [" + absl::StrJoin(namesrv_addrs_, ", ") + "] failed");
  }
  std::string addr_text = addr != nullptr ? *addr : namesrv_chosen_;
  if (!ch || !ch->active()) {
    CloseChannel(addr_text, ch);
    co_return MakeEx(ExClass::kRemotingConnectException, "connect to " + AddrText(addr) + " failed");
  }
  req.oneway = true;
  bool acquired = co_await semaphore_oneway_.TryAcquire(SimDuration::Millis(timeout_ms));
  if (!acquired) {
    if (timeout_ms <= 0) {
      co_return MakeEx(ExClass::kRemotingTooMuchRequestException,
                       "invokeOnewayImpl invoke too fast");
    }
    co_return MakeEx(
        ExClass::kRemotingTimeoutException,
        absl::StrFormat("invokeOnewayImpl tryAcquire semaphore timeout, %dms, waiting thread nums: "
                        "%d semaphoreAsyncValue: %d",
                        timeout_ms, semaphore_oneway_.queue_length(),
                        semaphore_oneway_.available()));
  }
  // A failed write is only logged for oneway; the permit is released when the write completes.
  if (!ctx_.net.SendRequest(ch, std::make_shared<const RemotingCommand>(std::move(req)))) {
    RMQ_CTX_LOG(ctx_, "request_write_failed", "", "oneway write to " + ch->addr() + " failed (logged only)");
  }
  semaphore_oneway_.Release();
  co_return Ok();
}


// ---- 5.3.3 [NRC, NRA, RF @ rocketmq-all-5.3.3] ------------------------------------------------

namespace {
// The CompletableFuture a 5.3.3 invokeSync waits on (get(timeout)).
struct SyncWaiter {
  explicit SyncWaiter(core::Scheduler& s) : latch(s, 1) {}
  core::Latch latch;
  std::optional<Try<RemotingCommand>> result;
};
}  // namespace

std::shared_ptr<RemotingClient::ConnectFuture> RemotingClient::GetAndCreateChannelAsync(
    const std::string* addr) {
  const std::string* target = addr;  // the channel-table key
  if (addr == nullptr) {
    // getAndCreateNameserverChannelAsync: the chosen name server if its channel is OK, else the
    // next one by namesrvIndex (no loop over the list; the connect is only started).
    if (!namesrv_chosen_.empty()) {
      auto it = channel_tables_.find(namesrv_chosen_);
      if (it != channel_tables_.end() && it->second.IsOK()) return it->second.future;
    }
    if (namesrv_addrs_.empty()) return nullptr;
    namesrv_index_ = java::Increment(namesrv_index_);
    int32_t index = java::Rem(java::Abs(namesrv_index_), static_cast<int32_t>(namesrv_addrs_.size()));
    if (index < 0) index = 0;  // Math.abs(MIN_VALUE): not reached in a run
    std::string new_addr = namesrv_addrs_[static_cast<size_t>(index)];
    if (new_addr != namesrv_chosen_) {
      RMQ_CTX_LOG(ctx_, "namesrv_chosen", "", "new name server is chosen: " + new_addr);
    }
    namesrv_chosen_ = new_addr;
    target = &namesrv_chosen_;
  }
  // createChannelAsync: an OK or still-connecting wrapper is reused; a finished dead one replaced.
  auto it = channel_tables_.find(*target);
  if (it != channel_tables_.end()) {
    if (it->second.IsOK() || !it->second.future->done) return it->second.future;
    channel_tables_.erase(it);
  }
  return StartConnect(*target);
}

Task<void> RemotingClient::Invoke0(SimThread& t, std::shared_ptr<Channel> ch,
                                   std::shared_ptr<const RemotingCommand> req, int64_t timeout_ms,
                                   InvokeResultCallback done,
                                   std::optional<int64_t> go_away_start_ms) {
  const int64_t begin = ctx_.now_ms();
  bool acquired = co_await semaphore_async_.TryAcquire(SimDuration::Millis(timeout_ms));
  if (!acquired) {
    if (timeout_ms <= 0) {
      co_await done(t, MakeEx(ExClass::kRemotingTooMuchRequestException,
                              "invokeAsyncImpl invoke too fast"));
      co_return;
    }
    co_await done(t, MakeEx(ExClass::kRemotingTimeoutException,
                            absl::StrFormat("invokeAsyncImpl tryAcquire semaphore timeout, %dms, "
                                            "waiting thread nums: %d semaphoreAsyncValue: %d",
                                            timeout_ms, semaphore_async_.queue_length(),
                                            semaphore_async_.available())));
    co_return;
  }
  const int64_t cost = ctx_.now_ms() - begin;
  if (timeout_ms < cost) {
    semaphore_async_.Release();
    co_await done(t, MakeEx(ExClass::kRemotingTimeoutException, "invokeAsyncImpl call timeout"));
    co_return;
  }
  auto rf = std::make_shared<ResponseFuture>(ctx_.sched);
  rf->opaque = req->opaque;
  rf->channel = ch;
  rf->timeout_ms = timeout_ms - cost;
  rf->begin_ms = ctx_.now_ms();
  rf->release_to = &semaphore_async_;
  // ResponseFuture.executeInvokeCallback calls it with the response (operationSucceed) or the
  // exception (operationFail); the future's CompletableFuture is `done` itself.
  rf->result_callback = std::move(done);
  if (go_away_start_ms) rf->go_away = ResponseFuture::GoAwayStep{req, timeout_ms, *go_away_start_ms};
  response_table_.Put(req->opaque, std::move(rf));
  const int32_t opaque = req->opaque;
  if (!ctx_.net.SendRequest(ch, std::move(req))) RequestFail(opaque);  // write listener failure
}

// Not a coroutine: it only builds the GO_AWAY step and hands back invoke0's task, which the caller
// awaits (a frame of its own per request would do nothing more).
Task<void> RemotingClient::InvokeImpl(SimThread& t, const std::shared_ptr<Channel>& ch,
                                      std::shared_ptr<const RemotingCommand>&& req,
                                      int64_t timeout_ms, InvokeResultCallback&& done) {
  if (!ctx_.profile.go_away_handling) {
    return Invoke0(t, ch, std::move(req), timeout_ms, std::move(done));
  }
  const int64_t start = ctx_.now_ms();  // the Stopwatch
  // invoke0(...).thenCompose: an answer other than GO_AWAY goes straight on to `done`; GO_AWAY
  // goes to OnGoAway. Invoke0's own failures are never a GO_AWAY, so only the response future
  // carries the step (ResponseFuture::go_away, run by RunResultCallback). `req` is kept there for
  // the re-send: the packet on the wire shares it, so keeping it copies nothing.
  return Invoke0(t, ch, std::move(req), timeout_ms, std::move(done), start);
}

Task<void> RemotingClient::OnGoAway(SimThread& t, std::shared_ptr<Channel> ch,
                                    std::shared_ptr<const RemotingCommand> req, int64_t timeout_ms,
                                    int64_t start, InvokeResultCallback done) {
  const std::string remote = ch->addr();
  RMQ_CTX_LOG(ctx_, "go_away", req->msg_id, "GO_AWAY from " + remote);
  // A GO_AWAY (rare): the re-send's callbacks share `done`, which is move-only.
  auto shared_done = std::make_shared<InvokeResultCallback>(std::move(done));
  if (ctx_.settings.enable_reconnect_for_go_away) {
    auto it = channel_tables_.find(remote);
    if (it != channel_tables_.end()) {
      if (it->second.future->channel == ch) {
        // ChannelWrapper.reconnect: a new connect replaces the wrapper's future; the old
        // channel stays open for the requests still on it.
        RMQ_CTX_LOG(ctx_, "go_away", req->msg_id,
                    "reconnect to " + remote + " (enableReconnectForGoAway)");
        StartConnect(remote);
      }
      std::shared_ptr<ConnectFuture> next = channel_tables_[remote].future;
      if (next->channel != ch) {
        auto fresh = std::make_shared<RemotingCommand>(*req);
        fresh->opaque = NextOpaque();  // a new request command: a new opaque
        std::shared_ptr<const RemotingCommand> retry = std::move(fresh);
        AddListener(next, [this, next, retry, timeout_ms, start, shared_done,
                           remote](SimThread& el) -> Task<void> {
          if (!next->channel) {
            // convertChannelFutureToCompletableFuture builds RemotingConnectException from
            // channel.remoteAddress().toString(); an unconnected channel has no remote address,
            // so the listener throws NPE and the future never completes [RemotingHelper@5.3.3].
            RMQ_CTX_LOG(ctx_, "go_away", retry->msg_id,
                        "reconnect to " + remote + " failed: the re-send never completes");
            co_return;
          }
          const int64_t duration = ctx_.now_ms() - start;
          RMQ_CTX_LOG(ctx_, "go_away", retry->msg_id,
                      "re-send once on the new channel to " + remote);
          InvokeResultCallback second = [shared_done, remote](SimThread& c2,
                                                              Try<RemotingCommand> r2)
              -> Task<void> {
            if (r2.ok() && r2.value().code == 1500) {
              r2 = MakeEx(ExClass::kRemotingSendRequestException,
                          "send request to </" + remote + "> failed",
                          MakeEx(ExClass::kRemotingSendRequestException,
                                 "Receive GO_AWAY twice"));
            }
            co_await (*shared_done)(c2, std::move(r2));
          };
          co_await Invoke0(el, next->channel, retry, timeout_ms - duration, std::move(second));
        });
        co_return;
      }
    }
  }
  co_await (*shared_done)(t, MakeEx(ExClass::kRemotingSendRequestException,
                                    "send request to </" + remote + "> failed",
                                    MakeEx(ExClass::kRemotingSendRequestException,
                                           "Receive GO_AWAY")));
}

Task<TryVoid> RemotingClient::InvokeAsyncListener(SimThread& t, const std::string* addr,
                                                  std::shared_ptr<const RemotingCommand> request,
                                                  int64_t timeout_ms, InvokeResultCallback cb) {
  const int64_t begin = ctx_.now_ms();
  std::shared_ptr<ConnectFuture> future = GetAndCreateChannelAsync(addr);
  if (!future) {
    co_await cb(t, MakeEx(ExClass::kRemotingConnectException,
                          "connect to " + AddrText(addr) + " failed"));
    co_return Ok();
  }
  // The future's address is the channel-table key (the chosen name server for a null `addr`);
  // exception texts name `addr` as given, "null" for the name server.
  const bool to_namesrv = addr == nullptr;
  // The callback is moved, never copied, on its way to the ResponseFuture: it holds the request
  // kept for a retry and the send's state (a copy of a std::function copies all of that).
  AddListener(future, [this, future, request = std::move(request), timeout_ms, begin,
                       cb = std::move(cb), to_namesrv](SimThread& el) mutable -> Task<void> {
    std::shared_ptr<Channel> ch = future->channel;
    if (!ch) {
      co_await cb(el, MakeEx(ExClass::kRemotingConnectException,
                             "connect to " + future->AddrText(to_namesrv) + " failed"));
      co_return;
    }
    if (!ch->active()) {
      CloseChannel(future->addr, ch);
      co_await cb(el, MakeEx(ExClass::kRemotingConnectException,
                             "connect to " + future->AddrText(to_namesrv) + " failed"));
      co_return;
    }
    const int64_t cost = ctx_.now_ms() - begin;
    if (timeout_ms < cost) {
      // Quirk Q9: operationFail, and the code still goes on to invokeAsyncImpl below.
      co_await cb(el, MakeEx(ExClass::kRemotingTooMuchRequestException,
                             "invokeAsync call the addr[" + ch->addr() + "] timeout"));
    }
    co_await InvokeImpl(el, ch, std::move(request), timeout_ms - cost, std::move(cb));
  });
  co_return Ok();
}

Task<TryVoid> RemotingClient::InvokeOnewayListener(SimThread& t, const std::string* addr,
                                                   RemotingCommand req, int64_t timeout_ms) {
  (void)t;
  std::shared_ptr<ConnectFuture> future = GetAndCreateChannelAsync(addr);
  if (!future) {
    co_return MakeEx(ExClass::kRemotingConnectException, "connect to " + AddrText(addr) + " failed");
  }
  // As in InvokeAsyncListener: the future's address is the table key, `addr` the text.
  const bool to_namesrv = addr == nullptr;
  auto request = std::make_shared<RemotingCommand>(std::move(req));
  request->oneway = true;
  AddListener(future, [this, future, request, timeout_ms, to_namesrv](SimThread& el)
                  -> Task<void> {
    (void)el;
    const std::string& addr_text = future->AddrText(to_namesrv);
    std::shared_ptr<Channel> ch = future->channel;
    if (!ch) {
      RMQ_CTX_LOG(ctx_, "request_dropped", request->msg_id,
               "oneway to " + addr_text + " dropped: connect failed (nothing is reported)");
      co_return;
    }
    if (!ch->active()) {
      CloseChannel(future->addr, ch);
      RMQ_CTX_LOG(ctx_, "request_dropped", request->msg_id,
               "oneway to " + addr_text + " dropped: channel inactive (nothing is reported)");
      co_return;
    }
    bool acquired = co_await semaphore_oneway_.TryAcquire(SimDuration::Millis(timeout_ms));
    if (!acquired) {
      RMQ_CTX_LOG(ctx_, "request_dropped", request->msg_id,
               "oneway to " + addr_text + " dropped: semaphore (thrown inside the listener)");
      co_return;
    }
    if (!ctx_.net.SendRequest(ch, request)) {
      RMQ_CTX_LOG(ctx_, "request_write_failed", request->msg_id,
               "oneway write to " + ch->addr() + " failed (logged only)");
    }
    semaphore_oneway_.Release();
  });
  co_return Ok();
}

Task<Try<RemotingCommand>> RemotingClient::InvokeSyncViaInvokeImpl(SimThread& t,
                                                                   const std::string* addr,
                                                                   RemotingCommand req,
                                                                   int64_t timeout_ms) {
  // Locals live at function scope and no co_await sits inside a nested block's declarations:
  // GCC 12 destroys such coroutine locals too early.
  const int64_t begin = ctx_.now_ms();
  std::shared_ptr<ConnectFuture> future = GetAndCreateChannelAsync(addr);
  std::shared_ptr<Channel> ch;
  std::shared_ptr<SyncWaiter> w;
  ExPtr timeout_ex;
  int64_t left = 0;
  bool should_close = true;
  // channelFuture.awaitUninterruptibly(): no timeout of its own (Netty's connect timeout).
  if (future && !future->done) {
    co_await future->latch.Wait();
    co_await Resumed(t);
  }
  if (future) ch = future->channel;
  const std::string table_addr = addr != nullptr ? *addr : namesrv_chosen_;
  if (!ch || !ch->active()) {
    if (ch) CloseChannel(table_addr, ch);
    co_return MakeEx(ExClass::kRemotingConnectException, "connect to " + AddrText(addr) + " failed");
  }
  left = timeout_ms - (ctx_.now_ms() - begin);
  if (left <= 0) {
    timeout_ex = MakeEx(ExClass::kRemotingTimeoutException,
                        "invokeSync call the addr[" + ch->addr() + "] timeout");
  } else {
    w = std::make_shared<SyncWaiter>(ctx_.sched);
  }
  if (w) {
    // A named callback: GCC 12 mis-handles a capturing lambda written inside a co_await
    // expression (the capture outlives nothing it should).
    InvokeResultCallback complete = [w](SimThread&, Try<RemotingCommand> r) -> Task<void> {
      if (!w->result) {
        w->result = std::move(r);
        w->latch.CountDown();
      }
      co_return;
    };
    co_await InvokeImpl(t, ch, std::make_shared<const RemotingCommand>(std::move(req)), left,
                        std::move(complete));
    // CompletableFuture.get(left): the wait starts once invokeImpl has returned.
    if (!w->latch.released()) {
      co_await w->latch.Wait(SimDuration::Millis(left));
      co_await Resumed(t);
    }
    if (w->result && w->result->ok()) co_return w->result->value();
    if (w->result) {
      // ExecutionException -> RemotingSendRequestException(remote address, cause)
      ExPtr ex = MakeEx(ExClass::kRemotingSendRequestException,
                        "send request to <" + RemoteAddress(ch) + "> failed", w->result->ex());
      CloseChannel(table_addr, ch);
      co_return ex;
    }
    timeout_ex = MakeEx(ExClass::kRemotingTimeoutException,
                        absl::StrFormat("wait response on the channel <%s> timeout, %d(ms)",
                                        RemoteAddress(ch), left));
  }
  // catch (RemotingTimeoutException): avoid closing a channel whose connect used up the budget.
  if (ctx_.profile.close_socket_if_timeout_gated) {
    should_close = left > 100 || left > timeout_ms / 4;
  }
  if (ctx_.settings.client_close_socket_if_timeout && should_close) CloseChannel(table_addr, ch);
  co_return timeout_ex;
}

}  // namespace rmqsim::sim
