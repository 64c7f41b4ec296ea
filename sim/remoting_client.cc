#include "sim/remoting_client.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/java.h"
#include "core/random.h"

namespace rmqsim::sim {

namespace java = core::java;

RemotingClient::RemotingClient(ClientContext& ctx, std::vector<std::string> namesrv_addrs)
    : ctx_(ctx),
      namesrv_addrs_(std::move(namesrv_addrs)),
      semaphore_async_(ctx.sched, ctx.settings.client_async_semaphore_value),
      semaphore_oneway_(ctx.sched, ctx.settings.client_oneway_semaphore_value),
      callback_executor_(ctx.sched, ctx.scope, "NettyClientPublicExecutor_",
                         ctx.settings.client_callback_executor_threads, SIZE_MAX) {
  // namesrvIndex = Math.abs(new Random().nextInt() % 999) % 999 [NRC initValueIndex].
  core::Rng rng = core::Rng::ForStream(ctx.seed, ctx.id + "/namesrvIndex");
  namesrv_index_ = java::Rem(java::Abs(java::Rem(rng.NextJavaInt(), 999)), 999);
}

void RemotingClient::Start() {
  ctx_.sched.SchedulePeriodic(ctx_.sched.now() + SimDuration::Millis(3000),
                              SimDuration::Millis(1000), [this] { ScanResponseTable(); });
}

Task<void> RemotingClient::Resumed(SimThread& t) {
  (void)t;
  SimDuration d = ctx_.NextStep();
  if (d > SimDuration::Zero()) co_await core::Sleep(ctx_.sched, d);
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
      ctx_.Log("namesrv_chosen", "", "new name server is chosen: " + new_addr);
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
    future = std::make_shared<ConnectFuture>(ctx_.sched);
    channel_tables_[addr] = ChannelWrapper{future};
    ctx_.Log("connect", "", "connect to " + addr);
    std::weak_ptr<ConnectFuture> weak = future;
    ctx_.net.Connect(this, ctx_.group, ctx_.actor(), addr,
                     [this, weak, addr](Network::ConnectResult r, std::shared_ptr<Channel> ch) {
                       auto f = weak.lock();
                       if (!f || f->done) {
                         if (ch) ctx_.net.CloseFromClient(ch);  // Netty gave up on it already
                         return;
                       }
                       f->done = true;
                       if (r == Network::ConnectResult::kConnected) f->channel = ch;
                       ctx_.Log("connect_result", "",
                                addr + (ch ? ": connected" : ": connection refused"));
                       f->latch.CountDown();
                     });
    // Netty's CONNECT_TIMEOUT_MILLIS fails a connect that has not completed.
    std::string target = addr;
    ctx_.sched.ScheduleAfter(ctx_.settings.connect_timeout, [this, weak, target] {
      auto f = weak.lock();
      if (!f || f->done) return;
      f->done = true;
      ctx_.Log("connect_result", "", target + ": connect timed out");
      f->latch.CountDown();
    });
  } else {
    future = it->second.future;
  }
  // channelFuture.awaitUninterruptibly(connectTimeoutMillis)
  bool done = co_await future->latch.Wait(ctx_.settings.connect_timeout);
  co_await Resumed(t);
  if (done && future->channel && future->channel->active()) co_return future->channel;
  co_return nullptr;
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
  ctx_.Log("channel_closed", "",
           ch->addr() + (pipeline_intact ? ": closed by client, pending requests fail fast"
                                         : ": closed by client; pipeline already gone, no failFast"));
  // NettyConnectManageHandler.close runs only while the pipeline still has its handlers.
  if (pipeline_intact) FailFast(ch);
}

void RemotingClient::FailFast(const std::shared_ptr<Channel>& ch) {
  std::vector<int32_t> opaques;
  for (const auto& [opaque, rf] : response_table_) {
    if (rf->channel == ch) opaques.push_back(opaque);
  }
  for (int32_t o : opaques) RequestFail(o);
}

void RemotingClient::RequestFail(int32_t opaque) {
  auto it = response_table_.find(opaque);
  if (it == response_table_.end()) return;
  std::shared_ptr<ResponseFuture> rf = it->second;
  response_table_.erase(it);
  rf->send_request_ok = false;
  rf->response.reset();
  rf->latch.CountDown();  // putResponse(null)
  ExecuteInvokeCallback(rf);
  rf->Release();
}

void RemotingClient::ExecuteInvokeCallback(const std::shared_ptr<ResponseFuture>& rf) {
  if (!rf->callback) return;
  callback_executor_.Submit([rf](SimThread& t) -> Task<void> {
    if (!rf->callback_run) {
      rf->callback_run = true;
      co_await rf->callback(t, rf);
    }
    rf->Release();
  });
}

void RemotingClient::ScanResponseTable() {
  std::vector<std::shared_ptr<ResponseFuture>> expired;
  int64_t now = ctx_.now_ms();
  for (auto it = response_table_.begin(); it != response_table_.end();) {
    const auto& rf = it->second;
    if (rf->begin_ms + rf->timeout_ms + 1000 <= now) {
      rf->Release();
      expired.push_back(rf);
      it = response_table_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& rf : expired) {
    ctx_.Log("request_timeout", "",
             absl::StrFormat("scanner removed request %d to %s (begin %d ms + timeout %d ms + 1000)",
                             rf->opaque, rf->channel->addr(), rf->begin_ms, rf->timeout_ms));
    ExecuteInvokeCallback(rf);
  }
}

void RemotingClient::OnResponse(const std::shared_ptr<Channel>& ch, RemotingCommand resp) {
  (void)ch;
  auto it = response_table_.find(resp.opaque);
  if (it == response_table_.end()) {
    ctx_.Log("response_dropped", resp.msg_id,
             absl::StrFormat("response to request %d arrived after it was given up", resp.opaque));
    return;
  }
  std::shared_ptr<ResponseFuture> rf = it->second;
  rf->response = std::move(resp);
  response_table_.erase(it);
  if (rf->callback) {
    ExecuteInvokeCallback(rf);
  } else {
    rf->latch.CountDown();
    rf->Release();
  }
}

void RemotingClient::OnPeerClosed(const std::shared_ptr<Channel>& ch) {
  ctx_.Log("channel_inactive", "",
           ch->addr() + ": peer closed the connection (FIN); 4.9.x fails no pending request");
}

void RemotingClient::OnPeerReset(const std::shared_ptr<Channel>& ch) {
  ctx_.Log("channel_reset", "", ch->addr() + ": connection reset by peer (RST)");
  CloseChannel(ch);
}

Task<Try<RemotingCommand>> RemotingClient::InvokeSync(SimThread& t, const std::string* addr,
                                                      RemotingCommand req, int64_t timeout_ms) {
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
  response_table_[req.opaque] = rf;
  int32_t opaque = req.opaque;
  if (!ctx_.net.SendRequest(ch, std::move(req))) {
    rf->send_request_ok = false;
    response_table_.erase(opaque);
    rf->latch.CountDown();
  }
  bool answered_at_once = rf->latch.released();
  co_await rf->latch.Wait(SimDuration::Millis(wait_ms));
  if (!answered_at_once && wait_ms > 0) co_await Resumed(t);
  response_table_.erase(opaque);
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
  response_table_[req.opaque] = rf;
  int32_t opaque = req.opaque;
  if (!ctx_.net.SendRequest(ch, std::move(req))) RequestFail(opaque);  // write listener failure
  co_return Ok();
}

Task<TryVoid> RemotingClient::InvokeOneway(SimThread& t, const std::string* addr,
                                           RemotingCommand req, int64_t timeout_ms) {
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
  if (!ctx_.net.SendRequest(ch, std::move(req))) {
    ctx_.Log("request_write_failed", "", "oneway write to " + ch->addr() + " failed (logged only)");
  }
  semaphore_oneway_.Release();
  co_return Ok();
}

}  // namespace rmqsim::sim
