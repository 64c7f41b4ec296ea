// Timeline JSON (`rmqsim-timeline/1`): the recorded runs of one scenario as one JSON document.
//
// The format is ../shared/docs/timeline-format.md. Every other report (HTML, trace export,
// regression checks) can be rebuilt from this data. The writer streams by hand: one message or
// event per line, keys in the documented order, numbers in one fixed spelling, so the same input
// always gives the same bytes and a 100,000-message run never becomes a JSON tree in memory.
//
//   std::ofstream f("run.json");
//   WriteTimelineJson(f, scenario, {run_490, run_493}, TimelineOptions{.generator = "rmqsim 0.1"});
//
// Extensions beyond the documented example (additive; readers must ignore unknown keys):
//   scenario: "description", "references", "generator"
//   run:      "end_ms", "events_executed" (after "profile")
//   message:  "callbacks"; error: "response_code"; with consumers (a message with fates or
//             deliveries): "deliveries", "fates" and "journey" (the copies stored on the way
//             through %RETRY%, SCHEDULE_TOPIC_XXXX and %DLQ%, see sim::JourneyRecord)
//   journey:  "at_ms", "group", "broker", "topic", "queue", "queue_offset", "reconsume_times",
//             "delay_level", "due_ms", "via", "origin_msg_id" ("" when the copy has none)
//   delivery: "end_ms", "broker", "queue", "queue_offset", "thread"; fate: "first_consumed_ms",
//             "duplicates"; summary: the consumer metrics when the run had consumers
//   attempt:  "thread", "detail", "decision" (strings, "" when the model recorded none)
//   event:    "fields" (object, in recorded order) when the event has fields
// Nulls: "resolved_ms" unresolved; "send_status" when not ok or not recorded; "error" when none;
// error "cause" when empty; attempt "end_ms" when unfinished; delivery "result" and "end_ms" while
// the listener still runs; fate "at_ms" while pending; journey "due_ms" unless scheduled. An
// event's "msg" is omitted when empty.
#ifndef RMQSIM_REPORTS_TIMELINE_JSON_H_
#define RMQSIM_REPORTS_TIMELINE_JSON_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "core/sim_time.h"
#include "sim/outcome.h"
#include "sim/scenario.h"

namespace rmqsim::reports {

inline constexpr const char kTimelineFormat[] = "rmqsim-timeline/1";

class EventSpool;

struct TimelineOptions {
  // Written as scenario.generator: the program and build that made the file, e.g.
  // "rmqsim 0.1.0 (4f2a9c1b7d3e)". Default "rmqsim"; tests fix it so golden bytes never change.
  std::string generator = "rmqsim";
  // Write each run's event log. false writes `"events": []` (like `--events none`). Default true.
  bool include_events = true;
  // Streamed event logs: when not empty, one per run (in run order), and run i's events are
  // copied from event_spools[i] instead of being read from RunResult::events. Not owned.
  std::vector<const EventSpool*> event_spools = {};
};

// An event sink that writes each event of a run, as it happens, in the timeline's spelling (the
// bytes WriteTimelineJson would write for RunResult::events) to an anonymous temporary file, so
// that a long run's event log is streamed out instead of being kept in memory (`rmqsim run
// --json` without --html or --trace). If no temporary file can be made, the text is kept in
// memory instead (still smaller than the events).
//
//   EventSpool spool;
//   RunOptions o{.record_events = false, .extra_sink = &spool};
//   ... RunScenario(s, p, o) ... WriteTimelineJson(out, s, runs, {.event_spools = {&spool}});
class EventSpool : public core::EventSink {
 public:
  EventSpool();
  ~EventSpool() override;
  EventSpool(const EventSpool&) = delete;
  EventSpool& operator=(const EventSpool&) = delete;

  void OnEvent(const core::Event& e) override;
  uint64_t count() const { return count_; }
  // Appends the spooled text to `out`; a temporary file that could not be written or read back
  // sets badbit on `out` (the report writer then fails instead of writing a truncated file).
  void CopyTo(std::ostream& out) const;

 private:
  void Flush();
  std::FILE* file_ = nullptr;  // null: everything stays in text_
  std::string text_;           // not yet flushed to file_
  uint64_t count_ = 0;
  bool failed_ = false;
};

// Writes the whole document. REQUIRES: `out` is a byte stream (no locale-dependent facets).
// Runs are written in the given order (the scenario's `compare` order).
void WriteTimelineJson(std::ostream& out, const sim::Scenario& s,
                       const std::vector<sim::RunResult>& runs, const TimelineOptions& opts);

// ---- Number spellings shared by the reports ----------------------------------------------------

// Virtual nanoseconds as milliseconds, exactly: "10000.0", "10000.25", "0.000001", "-3.5".
// Always at least one fractional digit, never trailing zeros beyond it.
std::string FormatMs(int64_t ns);
inline std::string FormatMs(core::SimTime t) { return FormatMs(t.ns()); }
inline std::string FormatMs(core::SimDuration d) { return FormatMs(d.ns()); }
// A report number (latencies): rounded to 6 decimals, then spelled like FormatMs ("4.0",
// "12.345"). Not-a-number and infinities become "null".
std::string FormatDouble(double v);

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_TIMELINE_JSON_H_
