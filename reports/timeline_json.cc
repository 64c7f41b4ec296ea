#include "reports/timeline_json.h"

#include <cmath>
#include <cstdlib>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/check.h"
#include "reports/escape.h"

namespace rmqsim::reports {
namespace {

using sim::AttemptRecord;
using sim::MessageRecord;
using sim::RunResult;

// Drops trailing zeros of a "%.6f"-style spelling, keeping one fractional digit.
std::string TrimFraction(std::string s) {
  size_t dot = s.find('.');
  if (dot == std::string::npos) return s + ".0";
  size_t last = s.find_last_not_of('0');
  if (last == dot) last = dot + 1;  // keep "x.0"
  s.resize(last + 1);
  return s;
}

std::string MsOrNull(const std::optional<core::SimTime>& t) {
  return t ? FormatMs(*t) : std::string("null");
}

std::string QuoteOrNull(std::string_view s) {
  return s.empty() ? std::string("null") : JsonQuote(s);
}

void AppendSummary(std::string& o, const sim::Summary& s) {
  absl::StrAppend(&o, "{\"messages\": ", s.messages, ", \"ok\": ", s.ok, ", \"failed\": ", s.failed,
                  ", \"unresolved\": ", s.unresolved, ", \"lost\": ", s.lost,
                  ", \"silent_loss\": ", s.silent_loss, ", \"duplicated\": ", s.duplicated,
                  ", \"false_failure\": ", s.false_failure, ", \"stored\": ", s.stored);
  absl::StrAppend(&o, ", \"attempts\": ", s.attempts, ", \"retries\": ", s.retries,
                  ", \"attempts_max\": ", s.attempts_max,
                  ", \"latency_p50_ms\": ", FormatDouble(s.latency_p50_ms),
                  ", \"latency_p99_ms\": ", FormatDouble(s.latency_p99_ms),
                  ", \"latency_max_ms\": ", FormatDouble(s.latency_max_ms),
                  ", \"double_callback\": ", s.double_callback);
  auto append_map = [&o](const char* key, const std::map<std::string, int64_t>& m) {
    absl::StrAppend(&o, ", \"", key, "\": {");
    bool first = true;
    for (const auto& [k, v] : m) {  // std::map: sorted keys
      absl::StrAppend(&o, first ? "" : ", ", JsonQuote(k), ": ", v);
      first = false;
    }
    o += "}";
  };
  append_map("stored_by_broker", s.stored_by_broker);
  append_map("errors_by_type", s.errors_by_type);
  if (s.has_consumers) {
    absl::StrAppend(&o, ", \"consumed\": ", s.consumed, ", \"dead_lettered\": ", s.dead_lettered,
                    ", \"dropped\": ", s.dropped, ", \"pending\": ", s.pending,
                    ", \"deliveries\": ", s.deliveries, ", \"redeliveries\": ", s.redeliveries,
                    ", \"consumer_duplicates\": ", s.consumer_duplicates,
                    ", \"delivery_latency_p99_ms\": ", FormatDouble(s.delivery_latency_p99_ms));
  }
  o += "}";
}

// With consumers: `deliveries`, `fates` (timeline-format.md) and the `journey` extension.
void AppendConsumerFields(std::string& o, const MessageRecord& m) {
  o += ", \"deliveries\": [";
  for (size_t i = 0; i < m.deliveries.size(); ++i) {
    const sim::DeliveryRecord& d = m.deliveries[i];
    absl::StrAppend(&o, i ? ", " : "", "{\"t_ms\": ", FormatMs(d.t), ", \"group\": ",
                    JsonQuote(d.group), ", \"consumer\": ", JsonQuote(d.consumer),
                    ", \"topic\": ", JsonQuote(d.topic),
                    ", \"reconsume_times\": ", d.reconsume_times,
                    ", \"result\": ", QuoteOrNull(d.result));
    absl::StrAppend(&o, ", \"end_ms\": ", MsOrNull(d.end), ", \"broker\": ", JsonQuote(d.broker),
                    ", \"queue\": ", d.queue, ", \"queue_offset\": ", d.queue_offset,
                    ", \"thread\": ", JsonQuote(d.thread), "}");
  }
  o += "], \"fates\": [";
  for (size_t i = 0; i < m.fates.size(); ++i) {
    const sim::FateRecord& f = m.fates[i];
    absl::StrAppend(&o, i ? ", " : "", "{\"group\": ", JsonQuote(f.group),
                    ", \"fate\": ", JsonQuote(sim::FateName(f.fate)),
                    ", \"at_ms\": ", MsOrNull(f.at),
                    ", \"first_consumed_ms\": ", MsOrNull(f.first_consumed),
                    ", \"duplicates\": ", f.duplicates, "}");
  }
  o += "], \"journey\": [";
  for (size_t i = 0; i < m.journey.size(); ++i) {
    const sim::JourneyRecord& j = m.journey[i];
    absl::StrAppend(&o, i ? ", " : "", "{\"at_ms\": ", FormatMs(j.at),
                    ", \"group\": ", JsonQuote(j.group), ", \"broker\": ", JsonQuote(j.broker),
                    ", \"topic\": ", JsonQuote(j.topic), ", \"queue\": ", j.queue,
                    ", \"queue_offset\": ", j.queue_offset,
                    ", \"reconsume_times\": ", j.reconsume_times);
    absl::StrAppend(&o, ", \"delay_level\": ", j.delay_level, ", \"due_ms\": ", MsOrNull(j.due),
                    ", \"via\": ", JsonQuote(j.via),
                    ", \"origin_msg_id\": ", JsonQuote(j.origin_msg_id), "}");
  }
  o += "]";
}

void AppendAttempt(std::string& o, const AttemptRecord& a) {
  absl::StrAppend(&o, "{\"n\": ", a.n, ", \"broker\": ", JsonQuote(a.broker),
                  ", \"queue\": ", a.queue, ", \"start_ms\": ", FormatMs(a.start),
                  ", \"end_ms\": ", MsOrNull(a.end), ", \"result\": ", JsonQuote(a.result),
                  ", \"path\": ", JsonQuote(a.path));
  absl::StrAppend(&o, ", \"thread\": ", JsonQuote(a.thread), ", \"detail\": ", JsonQuote(a.detail),
                  ", \"decision\": ", JsonQuote(a.decision), "}");
}

void AppendMessage(std::string& o, const MessageRecord& m) {
  bool ok = m.outcome == sim::Outcome::kOk;
  absl::StrAppend(&o, "{\"id\": ", JsonQuote(m.id), ", \"producer\": ", JsonQuote(m.producer),
                  ", \"topic\": ", JsonQuote(m.topic), ", \"mode\": ", JsonQuote(SendModeName(m.mode)),
                  ", \"sent_ms\": ", FormatMs(m.sent), ", \"resolved_ms\": ", MsOrNull(m.resolved),
                  ", \"outcome\": ", JsonQuote(sim::OutcomeName(m.outcome)),
                  ", \"send_status\": ", ok ? QuoteOrNull(m.send_status) : std::string("null"));
  o += ", \"error\": ";
  if (m.error) {
    absl::StrAppend(&o, "{\"type\": ", JsonQuote(m.error->type),
                    ", \"message\": ", JsonQuote(m.error->message),
                    ", \"cause\": ", QuoteOrNull(m.error->cause),
                    ", \"response_code\": ", m.error->response_code, "}");
  } else {
    o += "null";
  }
  o += ", \"stored\": [";
  for (size_t i = 0; i < m.stored.size(); ++i) {
    const sim::StoredCopy& c = m.stored[i];
    absl::StrAppend(&o, i ? ", " : "", "{\"broker\": ", JsonQuote(c.broker),
                    ", \"queue\": ", c.queue, ", \"at_ms\": ", FormatMs(c.at), "}");
  }
  o += "], \"attempts\": [";
  for (size_t i = 0; i < m.attempts.size(); ++i) {
    if (i) o += ", ";
    AppendAttempt(o, m.attempts[i]);
  }
  absl::StrAppend(&o, "], \"callbacks\": ", m.callbacks);
  if (!m.fates.empty() || !m.deliveries.empty()) AppendConsumerFields(o, m);
  o += "}";
}

void AppendEvent(std::string& o, const core::Event& e) {
  absl::StrAppend(&o, "{\"t_ms\": ", FormatMs(e.t), ", \"actor\": ", JsonQuote(e.actor),
                  ", \"kind\": ", JsonQuote(e.kind));
  if (!e.msg.empty()) absl::StrAppend(&o, ", \"msg\": ", JsonQuote(e.msg));
  absl::StrAppend(&o, ", \"text\": ", JsonQuote(e.text));
  if (!e.fields.empty()) {
    o += ", \"fields\": {";
    for (size_t i = 0; i < e.fields.size(); ++i) {
      absl::StrAppend(&o, i ? ", " : "", JsonQuote(e.fields[i].first), ": ",
                      JsonQuote(e.fields[i].second));
    }
    o += "}";
  }
  o += "}";
}

void AppendStringArray(std::string& o, const std::vector<std::string>& v) {
  o += "[";
  for (size_t i = 0; i < v.size(); ++i) absl::StrAppend(&o, i ? ", " : "", JsonQuote(v[i]));
  o += "]";
}

void WriteScenario(std::ostream& out, const sim::Scenario& s, const TimelineOptions& opts) {
  std::string o = "\"scenario\": {\"id\": " + JsonQuote(s.id);
  absl::StrAppend(&o, ", \"title\": ", JsonQuote(s.title), ", \"seed\": ", s.seed,
                  ", \"duration_ms\": ", FormatMs(s.duration), ", \"compare\": ");
  AppendStringArray(o, s.compare);
  absl::StrAppend(&o, ", \"description\": ", JsonQuote(s.description), ", \"references\": ");
  AppendStringArray(o, s.references);
  absl::StrAppend(&o, ", \"generator\": ", JsonQuote(opts.generator), "},\n");
  out << o;
}

// Flushes `buf` to `out` once it grows past a few hundred KiB.
void MaybeFlush(std::ostream& out, std::string& buf) {
  if (buf.size() >= (256u << 10)) {
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    buf.clear();
  }
}

// What precedes event i in a run's "events" array.
const char* EventSeparator(uint64_t i) { return i ? ",\n  " : "\n  "; }

void WriteRun(std::ostream& out, const RunResult& r, const EventSpool* spool,
              const TimelineOptions& opts) {
  std::string o = "{\"profile\": " + JsonQuote(r.profile);
  absl::StrAppend(&o, ", \"end_ms\": ", FormatMs(r.end), ", \"events_executed\": ",
                  r.events_executed, ",\n \"summary\": ");
  AppendSummary(o, r.summary);
  o += ",\n \"messages\": [";
  for (size_t i = 0; i < r.messages.size(); ++i) {
    o += i ? ",\n  " : "\n  ";
    AppendMessage(o, r.messages[i]);
    MaybeFlush(out, o);
  }
  o += r.messages.empty() ? "],\n \"events\": [" : "\n ],\n \"events\": [";
  uint64_t events = 0;
  if (opts.include_events && spool != nullptr) {
    out.write(o.data(), static_cast<std::streamsize>(o.size()));
    o.clear();
    spool->CopyTo(out);
    events = spool->count();
  } else if (opts.include_events) {
    events = r.events.size();
    for (size_t i = 0; i < r.events.size(); ++i) {
      o += EventSeparator(i);
      AppendEvent(o, r.events[i]);
      MaybeFlush(out, o);
    }
  }
  o += events == 0 ? "]}" : "\n ]}";
  out.write(o.data(), static_cast<std::streamsize>(o.size()));
}

}  // namespace

std::string FormatMs(int64_t ns) {
  // Unsigned magnitude so that INT64_MIN needs no special case.
  uint64_t mag = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  std::string s = absl::StrFormat("%s%d.%06d", ns < 0 ? "-" : "", mag / 1000000, mag % 1000000);
  return TrimFraction(std::move(s));
}

std::string FormatDouble(double v) {
  if (!std::isfinite(v)) return "null";
  std::string s = absl::StrFormat("%.6f", v);
  if (s == "-0.000000") s = "0.000000";
  return TrimFraction(std::move(s));
}

void WriteTimelineJson(std::ostream& out, const sim::Scenario& s,
                       const std::vector<sim::RunResult>& runs, const TimelineOptions& opts) {
  out << "{\n\"format\": " << JsonQuote(kTimelineFormat) << ",\n";
  WriteScenario(out, s, opts);
  RMQ_CHECK(opts.event_spools.empty() || opts.event_spools.size() == runs.size())
      << "one event spool per run: " << opts.event_spools.size() << " for " << runs.size();
  out << "\"runs\": [";
  for (size_t i = 0; i < runs.size(); ++i) {
    out << (i ? ",\n" : "\n");
    WriteRun(out, runs[i], opts.event_spools.empty() ? nullptr : opts.event_spools[i], opts);
  }
  out << (runs.empty() ? "]\n}\n" : "\n]\n}\n");
}

EventSpool::EventSpool() : file_(std::tmpfile()) {}

EventSpool::~EventSpool() {
  if (file_ != nullptr) std::fclose(file_);
}

void EventSpool::OnEvent(const core::Event& e) {
  text_ += EventSeparator(count_++);
  AppendEvent(text_, e);
  if (file_ != nullptr && text_.size() >= (256u << 10)) Flush();
}

void EventSpool::Flush() {
  if (!failed_ && std::fwrite(text_.data(), 1, text_.size(), file_) != text_.size()) {
    failed_ = true;
  }
  text_.clear();
}

void EventSpool::CopyTo(std::ostream& out) const {
  if (file_ != nullptr) {
    bool ok = !failed_ && std::fflush(file_) == 0 && std::fseek(file_, 0, SEEK_SET) == 0;
    char buf[64 << 10];
    size_t n;
    while (ok && (n = std::fread(buf, 1, sizeof buf, file_)) > 0) {
      out.write(buf, static_cast<std::streamsize>(n));
    }
    ok = ok && !std::ferror(file_);
    // Leave the file positioned for more events (a run in progress) or another copy.
    ok = std::fseek(file_, 0, SEEK_END) == 0 && ok;
    if (!ok) {
      out.setstate(std::ios::badbit);
      return;
    }
  }
  out.write(text_.data(), static_cast<std::streamsize>(text_.size()));
}

}  // namespace rmqsim::reports
