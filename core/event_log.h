// EventLog: the ordered record of what happened in a run.
//
// Actors write structured events (time, actor, kind, message id, text, fields) in the order they
// happen. The log forwards each to a sink: a vector (tests, reports), a fingerprint (determinism
// checks), a streaming writer, or nothing. Disabled logging costs one branch: the event is built
// only when a sink is attached.
//
//   log.Emit([&] { return Event{now, "broker:broker-a", "stored", msg_id, "queue 2"}; });
#ifndef RMQSIM_CORE_EVENT_LOG_H_
#define RMQSIM_CORE_EVENT_LOG_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/sim_time.h"

namespace rmqsim::core {

struct Event {
  SimTime t;
  std::string actor;  // "producer:pg#0", "broker:broker-a", "nameserver:ns-1", "fault"
  std::string kind;   // "select_queue", "stored", "fault_begin", ...
  std::string msg;    // message id, empty when the event concerns no single message
  std::string text;   // human-readable detail
  std::vector<std::pair<std::string, std::string>> fields = {};

  bool operator==(const Event&) const = default;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEvent(const Event& e) = 0;
};

// Keeps every event in memory.
class VectorSink : public EventSink {
 public:
  void OnEvent(const Event& e) override { events_.push_back(e); }
  const std::vector<Event>& events() const { return events_; }
  std::vector<Event> Take() { return std::move(events_); }

 private:
  std::vector<Event> events_;
};

// Folds every event into a 64-bit FNV-1a fingerprint and a count (OMNeT++ cfingerprint): two runs
// with equal fingerprints logged the same events in the same order.
class FingerprintSink : public EventSink {
 public:
  void OnEvent(const Event& e) override;
  uint64_t fingerprint() const { return hash_; }
  uint64_t count() const { return count_; }

 private:
  void Mix(const void* p, size_t n);
  uint64_t hash_ = 0xcbf29ce484222325ULL;
  uint64_t count_ = 0;
};

// Forwards to several sinks.
class TeeSink : public EventSink {
 public:
  explicit TeeSink(std::vector<EventSink*> sinks) : sinks_(std::move(sinks)) {}
  void OnEvent(const Event& e) override {
    for (EventSink* s : sinks_) s->OnEvent(e);
  }

 private:
  std::vector<EventSink*> sinks_;
};

class EventLog {
 public:
  EventLog() = default;
  explicit EventLog(EventSink* sink) : sink_(sink) {}

  bool enabled() const { return sink_ != nullptr; }
  void set_sink(EventSink* sink) { sink_ = sink; }

  // Calls `make` (returning an Event) only when a sink is attached.
  template <typename MakeEvent>
  void Emit(MakeEvent&& make) {
    if (sink_ != nullptr) sink_->OnEvent(make());
  }
  void Add(const Event& e) {
    if (sink_ != nullptr) sink_->OnEvent(e);
  }

 private:
  EventSink* sink_ = nullptr;
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_EVENT_LOG_H_
