// Helpers for the model acceptance tests (tests/sim/model_*_test.cc): staged runs of a World with
// the send index of a caller thread pinned, so the first queue a send picks is known, and small
// lookups over the records and the event log. Everything goes through the model's public API.
#ifndef RMQSIM_TESTS_SIM_MODEL_HELPERS_H_
#define RMQSIM_TESTS_SIM_MODEL_HELPERS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/event_log.h"
#include "core/executor.h"
#include "sim/outcome.h"
#include "sim/producer.h"
#include "sim/profile.h"
#include "sim/route.h"
#include "sim/world.h"
#include "tests/sim/model_fixture.h"

namespace rmqsim::testing {

inline const sim::Profile& Profile(const std::string& name) { return *sim::FindProfile(name); }

// Broker addresses as World assigns them (broker i at 10.0.0.<i+1>:10911).
inline constexpr char kAddrA[] = "10.0.0.1:10911";
inline constexpr char kAddrB[] = "10.0.0.2:10911";

// Caller-thread names as the model gives them: the sync caller of the producer's workload `w`
// (1-based), the async sender executor's first thread, the callback executor's first thread.
inline std::string SyncThread(int w) { return "app-" + std::to_string(w) + "-sync-1"; }
inline constexpr char kAsyncThread1[] = "AsyncSenderExecutor_1";
inline constexpr char kCallbackThread1[] = "NettyClientPublicExecutor_1";

// A ThreadLocalIndex value whose next pre-increment selects position `pos` of an 8-queue list.
inline int32_t IndexBefore(int32_t pos) { return 800 + pos - 1; }

// The first workload of every staged test: one sync message at 100 ms, so the producer has built
// its TopicTest publish info (and connected to brokers) before the messages under test.
inline sim::WorkloadSpec WarmUp() { return Workload(sim::SendMode::kSync, 100, 1); }

// One World run in stages, with the full event log kept. Movable: the scenario and the sink the
// World refers to live on the heap.
class StagedRun {
 public:
  StagedRun(const sim::Scenario& s, const sim::Profile& p)
      : scenario_(std::make_unique<sim::Scenario>(s)),
        sink_(std::make_unique<core::VectorSink>()),
        world_(std::make_unique<sim::World>(*scenario_, p, s.seed, sink_.get())) {}

  sim::World& world() { return *world_; }
  sim::ProducerClient& producer() { return *world_->FindProducer("pg", 0); }
  std::shared_ptr<sim::TopicPublishInfo> publish_info() {
    return producer().publish_info("TopicTest");
  }
  void RunUntil(int64_t ms) { world_->RunUntil(At(ms)); }
  void RunToEnd() { world_->Run(); }
  // Pins `thread`'s send index on the current TopicTest publish info so that its next selection
  // starts at list position `pos`.
  void PinIndex(const std::string& thread, int32_t pos) {
    auto tp = publish_info();
    REQUIRE(tp != nullptr);
    REQUIRE(tp->message_queue_list.size() == 8);
    tp->send_which_queue().Set(core::SimThread(thread), IndexBefore(pos));
  }
  const std::vector<sim::MessageRecord>& messages() { return world_->recorder().messages(); }
  const sim::MessageRecord& message(size_t i) {
    REQUIRE(i < messages().size());
    return messages()[i];
  }
  const std::vector<core::Event>& events() const { return sink_->events(); }

 private:
  std::unique_ptr<sim::Scenario> scenario_;
  std::unique_ptr<core::VectorSink> sink_;
  std::unique_ptr<sim::World> world_;
};

// Events of `kind` (optionally from `actor` and about message `msg`).
inline std::vector<core::Event> EventsOf(const std::vector<core::Event>& events,
                                         const std::string& kind, const std::string& actor = "",
                                         const std::string& msg = "") {
  std::vector<core::Event> out;
  for (const core::Event& e : events) {
    if (e.kind != kind) continue;
    if (!actor.empty() && e.actor != actor) continue;
    if (!msg.empty() && e.msg != msg) continue;
    out.push_back(e);
  }
  return out;
}

inline int64_t MsOf(SimTime t) { return t.java_ms(); }
inline int64_t EndMs(const sim::AttemptRecord& a) { return a.end ? a.end->java_ms() : -1; }
inline int64_t ResolvedMs(const sim::MessageRecord& m) {
  return m.resolved ? m.resolved->java_ms() : -1;
}

// Queue ids of a message's attempts.
inline std::vector<int32_t> Queues(const sim::MessageRecord& m) {
  std::vector<int32_t> v;
  for (const auto& a : m.attempts) v.push_back(a.queue);
  return v;
}
inline std::vector<std::string> Paths(const sim::MessageRecord& m) {
  std::vector<std::string> v;
  for (const auto& a : m.attempts) v.push_back(a.path);
  return v;
}
inline std::vector<std::string> Results(const sim::MessageRecord& m) {
  std::vector<std::string> v;
  for (const auto& a : m.attempts) v.push_back(a.result);
  return v;
}
inline std::vector<std::string> StoredOn(const sim::MessageRecord& m) {
  std::vector<std::string> v;
  for (const auto& s : m.stored) v.push_back(s.broker + ":" + std::to_string(s.queue));
  return v;
}

// "broker:queue" of every element of a publish info's queue list, in list order.
inline std::vector<std::string> QueueList(const sim::TopicPublishInfo& tp) {
  std::vector<std::string> v;
  for (const auto& mq : tp.message_queue_list) {
    v.push_back(mq->broker_name + ":" + std::to_string(mq->queue_id));
  }
  return v;
}

inline sim::FaultSpec ErrorFault(const std::string& broker, int64_t at_ms, int32_t code,
                                 const std::string& name) {
  sim::FaultSpec f = Fault(sim::FaultAction::kError, broker, at_ms);
  f.code = code;
  f.code_name = name;
  f.ratio = sim::Ratio{1, 1};
  return f;
}

inline sim::FaultSpec SlowFault(const std::string& broker, int64_t at_ms, int64_t delay_ms) {
  sim::FaultSpec f = Fault(sim::FaultAction::kSlow, broker, at_ms);
  f.delay = Ms(delay_ms);
  return f;
}

inline void FixedStep(sim::Scenario& s, int64_t ms) {
  s.cluster.client_step_time = sim::StepTime{Ms(ms), Ms(ms)};
}

}  // namespace rmqsim::testing

#endif  // RMQSIM_TESTS_SIM_MODEL_HELPERS_H_
