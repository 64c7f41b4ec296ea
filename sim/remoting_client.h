// NettyRemotingClient / NettyRemotingAbstract, 4.9.x [NRC, NRA, RF @ rocketmq-all-4.9.0, 4.9.3],
// plus the 5.3.3 paths the profile selects (rocketmq-behaviour.md §4.5): connects through a
// listener on the connect future run on the Netty event loop ("NettyClientSelector_1"),
// invokeSync through invokeImpl/invoke0 (async semaphore, CompletableFuture), GO_AWAY handling,
// failFast on channelInactive, and the wheel-timer scanner.
//
// Channels per address with a blocking connect in the caller's thread (awaitUninterruptibly up to
// connectTimeoutMillis); invokeSync / invokeAsync / invokeOneway with their exact exceptions and
// timeout checks; the fair async and oneway semaphores; the response table and its scanner
// (java.util.Timer: first run 3 s after start, fixed rate 1 s, expiry at begin + timeout + 1000);
// failFast only when this side closes a channel whose pipeline is intact (§4.4: a peer FIN fails
// nothing); callbacks on the public callback executor.
#ifndef RMQSIM_SIM_REMOTING_CLIENT_H_
#define RMQSIM_SIM_REMOTING_CLIENT_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/executor.h"
#include "core/semaphore.h"
#include "core/move_function.h"
#include "core/sync.h"
#include "sim/client_context.h"
#include "sim/java_exception.h"
#include "sim/network.h"

namespace rmqsim::sim {

using core::SimThread;
using core::Task;

class RemotingClient;

struct ResponseFuture;
using InvokeCallback = core::MoveFunction<Task<void>(SimThread&, std::shared_ptr<ResponseFuture>)>;
// 5.3.3 InvokeCallback as MQClientAPIImpl uses it: operationSucceed(response) for a value,
// operationFail(throwable) for an exception.
using InvokeResultCallback = core::MoveFunction<Task<void>(SimThread&, Try<RemotingCommand>)>;

struct ResponseFuture {
  ResponseFuture(core::Scheduler& s) : latch(s, 1) {}
  int32_t opaque = 0;
  std::shared_ptr<Channel> channel;
  int64_t timeout_ms = 0;
  int64_t begin_ms = 0;  // System.currentTimeMillis() at creation
  bool send_request_ok = true;
  std::optional<RemotingCommand> response;
  // Async only, run on a callback-executor thread by executeInvokeCallback: 4.9.x's
  // operationComplete(this), or 5.3.3's callback, given the response (operationSucceed) or the
  // exception (operationFail).
  InvokeCallback callback;
  InvokeResultCallback result_callback;
  // 5.3.3 invokeImpl's thenCompose step, for a request sent through it: a GO_AWAY answer goes to
  // RemotingClient::OnGoAway (re-send once) instead of result_callback, which every other result
  // reaches as it is. What the step needs is kept here rather than in a closure wrapping the
  // callback: that closure (the callback and this) outgrows a callable's in-place storage and
  // cost a heap allocation per request.
  struct GoAwayStep {
    std::shared_ptr<const RemotingCommand> req;  // kept for the re-send
    int64_t timeout_ms;                          // invokeImpl's budget
    int64_t start_ms;                            // invokeImpl's Stopwatch
  };
  std::optional<GoAwayStep> go_away;
  bool has_callback() const { return callback || result_callback; }
  bool callback_run = false;          // executeInvokeCallback runs at most once
  core::Semaphore* release_to = nullptr;  // SemaphoreReleaseOnlyOnce
  bool released = false;
  core::Latch latch;                  // CountDownLatch for waitResponse

  void Release() {
    if (release_to != nullptr && !released) {
      released = true;
      release_to->Release();
    }
  }
  // ResponseFuture.isTimeout(): now - begin > timeout.
  bool IsTimeout(int64_t now_ms) const { return now_ms - begin_ms > timeout_ms; }
};

// NettyRemotingAbstract.responseTable: the futures awaiting a response, by opaque; the scanner and
// failFast visit them in opaque order. A vector sorted by opaque rather than a std::map (a node
// allocated and rebalanced for every request): opaques only grow, so a request's entry is
// appended, and the table holds no more than the requests in flight.
class ResponseTable {
 public:
  using Entry = std::pair<int32_t, std::shared_ptr<ResponseFuture>>;

  // responseTable.put(opaque, rf).
  void Put(int32_t opaque, std::shared_ptr<ResponseFuture> rf) {
    if (entries_.empty() || entries_.back().first < opaque) {
      entries_.emplace_back(opaque, std::move(rf));
      return;
    }
    auto it = LowerBound(opaque);
    if (it != entries_.end() && it->first == opaque) {
      it->second = std::move(rf);
    } else {
      entries_.emplace(it, opaque, std::move(rf));
    }
  }
  // responseTable.remove(opaque): the future, or null if there was none.
  std::shared_ptr<ResponseFuture> Remove(int32_t opaque) {
    auto it = LowerBound(opaque);
    if (it == entries_.end() || it->first != opaque) return nullptr;
    std::shared_ptr<ResponseFuture> rf = std::move(it->second);
    entries_.erase(it);
    return rf;
  }
  // Removes the futures `pred` holds for and returns them, in opaque order.
  template <typename Pred>
  std::vector<std::shared_ptr<ResponseFuture>> RemoveIf(Pred pred) {
    std::vector<std::shared_ptr<ResponseFuture>> removed;
    auto kept = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (pred(*it->second)) {
        removed.push_back(std::move(it->second));
      } else {
        if (kept != it) *kept = std::move(*it);
        ++kept;
      }
    }
    entries_.erase(kept, entries_.end());
    return removed;
  }
  // In opaque order.
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry>::iterator LowerBound(int32_t opaque) {
    return std::lower_bound(entries_.begin(), entries_.end(), opaque,
                            [](const Entry& e, int32_t o) { return e.first < o; });
  }

  std::vector<Entry> entries_;
};


class RemotingClient : public ClientEndpoint {
 public:
  RemotingClient(ClientContext& ctx, std::vector<std::string> namesrv_addrs);
  // Breaks the cycle a pending 5.3.3 connect listener forms with its ChannelFuture (the listener
  // holds the future), so a run that ends mid-connect frees both.
  ~RemotingClient();
  RemotingClient(const RemotingClient&) = delete;
  RemotingClient& operator=(const RemotingClient&) = delete;

  // Starts the response-table scanner (NettyRemotingClient.start).
  void Start();

  // `addr` null: the chosen name server.
  Task<Try<RemotingCommand>> InvokeSync(SimThread& t, const std::string* addr, RemotingCommand req,
                                        int64_t timeout_ms);
  Task<TryVoid> InvokeAsync(SimThread& t, const std::string* addr, RemotingCommand req,
                            int64_t timeout_ms, InvokeCallback cb);
  Task<TryVoid> InvokeOneway(SimThread& t, const std::string* addr, RemotingCommand req,
                             int64_t timeout_ms);
  // 5.3.3 invokeAsync: returns at once (a synchronous operationFail only when no connect future
  // could be had); the listener on the connect future runs on the event loop.
  // The request is shared, read-only, with the caller (which keeps it for a retry).
  Task<TryVoid> InvokeAsyncListener(SimThread& t, const std::string* addr,
                                    std::shared_ptr<const RemotingCommand> req, int64_t timeout_ms,
                                    InvokeResultCallback cb);

  int32_t NextOpaque() { return next_opaque_++; }
  core::Executor& callback_executor() { return callback_executor_; }
  core::Executor& event_loop() { return event_loop_; }

  // ClientEndpoint.
  void OnResponse(const std::shared_ptr<Channel>& ch, RemotingCommand&& resp) override;
  void OnPeerClosed(const std::shared_ptr<Channel>& ch) override;
  void OnPeerReset(const std::shared_ptr<Channel>& ch) override;

 private:
  struct ConnectFuture {
    ConnectFuture(core::Scheduler& s, std::string a) : addr(std::move(a)), latch(s, 1) {}
    // The address connected to: the future's channel-table key.
    const std::string addr;
    // The address as an invoke's caller gave it, for exception texts: "null" for a name server.
    const std::string& AddrText(bool to_namesrv) const {
      static const std::string kNull = "null";
      return to_namesrv ? kNull : addr;
    }
    bool done = false;
    std::shared_ptr<Channel> channel;  // set when connected
    core::Latch latch;
    // ChannelFuture listeners (5.3.3): run on the event loop once the connect completes.
    std::vector<core::Job> listeners;
  };
  struct ChannelWrapper {
    std::shared_ptr<ConnectFuture> future;
    bool IsOK() const { return future->channel != nullptr && future->channel->active(); }
  };

  Task<std::shared_ptr<Channel>> GetAndCreateChannel(SimThread& t, const std::string* addr,
                                                     bool* namesrv_all_failed);
  Task<std::shared_ptr<Channel>> GetAndCreateNameserverChannel(SimThread& t, bool* all_failed);
  Task<std::shared_ptr<Channel>> CreateChannel(SimThread& t, const std::string& addr);
  // Starts a TCP connect to `addr` and makes it the address's channel-table entry.
  std::shared_ptr<ConnectFuture> StartConnect(const std::string& addr);
  // The connect finished (connected, refused or timed out): wake waiters, run listeners.
  void CompleteConnect(const std::shared_ptr<ConnectFuture>& f);
  // ChannelFuture.addListener: at once on the event loop if done, else when it completes.
  void AddListener(const std::shared_ptr<ConnectFuture>& f, core::Job listener);

  // ---- 5.3.3 ----
  // getAndCreateChannelAsync / createChannelAsync / getAndCreateNameserverChannelAsync.
  std::shared_ptr<ConnectFuture> GetAndCreateChannelAsync(const std::string* addr);
  // NettyRemotingAbstract.invoke0: semaphoreAsync, ResponseFuture, write. `done` runs exactly once
  // with the response or the exception completing the future (on this thread for an immediate
  // failure, else on a callback-executor thread).
  // The request is shared with the packet on the wire (and kept by invokeImpl for a re-send).
  // `go_away_start_ms` (invokeImpl's start) is set when invokeImpl's GO_AWAY step follows.
  Task<void> Invoke0(SimThread& t, std::shared_ptr<Channel> ch,
                     std::shared_ptr<const RemotingCommand> req, int64_t timeout_ms,
                     InvokeResultCallback done,
                     std::optional<int64_t> go_away_start_ms = std::nullopt);
  // NettyRemotingClient.invokeImpl: invoke0 plus the GO_AWAY reconnect-and-resend-once. (No
  // coroutine: it hands its arguments on to Invoke0's frame before it returns, so it takes them
  // by reference.)
  Task<void> InvokeImpl(SimThread& t, const std::shared_ptr<Channel>& ch,
                        std::shared_ptr<const RemotingCommand>&& req, int64_t timeout_ms,
                        InvokeResultCallback&& done);
  // invokeImpl's answer to a GO_AWAY (code 1500) from `ch`: reconnect and re-send once, or fail.
  Task<void> OnGoAway(SimThread& t, std::shared_ptr<Channel> ch,
                      std::shared_ptr<const RemotingCommand> req, int64_t timeout_ms, int64_t start,
                      InvokeResultCallback done);
  Task<Try<RemotingCommand>> InvokeSyncViaInvokeImpl(SimThread& t, const std::string* addr,
                                                     RemotingCommand req, int64_t timeout_ms);
  Task<TryVoid> InvokeOnewayListener(SimThread& t, const std::string* addr, RemotingCommand req,
                                     int64_t timeout_ms);
  void ScanOnWheel();
  void ScanAvailableNameSrv();
  void CloseChannel(const std::string& addr, const std::shared_ptr<Channel>& ch);
  void CloseChannel(const std::shared_ptr<Channel>& ch);
  void FailFast(const std::shared_ptr<Channel>& ch);
  void RequestFail(int32_t opaque);
  void ExecuteInvokeCallback(const std::shared_ptr<ResponseFuture>& rf);
  // A 5.3.3 future's result to its callback, through invokeImpl's GO_AWAY step if it has one.
  Task<void> RunResultCallback(SimThread& t, ResponseFuture& rf);
  void ScanResponseTable();
  std::string AddrText(const std::string* addr) const;
  // A thread woken from a blocking wait takes a client step before it goes on.
  core::Delay Resumed(SimThread& t);

  ClientContext& ctx_;
  std::vector<std::string> namesrv_addrs_;
  std::string namesrv_chosen_;
  int32_t namesrv_index_ = 0;
  // channelTables, a ConcurrentHashMap in Java: looked up by address once per request. Nothing
  // depends on its order (a scan for a channel stops at the one wrapper holding it).
  std::unordered_map<std::string, ChannelWrapper> channel_tables_;
  ResponseTable response_table_;
  core::Semaphore semaphore_async_;
  core::Semaphore semaphore_oneway_;
  core::Executor callback_executor_;
  // The NioEventLoopGroup(1) worker, "NettyClientSelector_1" (5.3.3 connect listeners run here).
  core::Executor event_loop_;
  int32_t next_opaque_ = 1;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_REMOTING_CLIENT_H_
