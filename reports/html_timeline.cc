#include "reports/html_timeline.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reports/divergence.h"
#include "reports/escape.h"
#include "reports/html_consumers.h"
#include "reports/html_timeline_assets.h"
#include "reports/timeline_json.h"
#include "reports/trace_export.h"

namespace rmqsim::reports {
namespace {

using sim::AttemptRecord;
using sim::MessageRecord;
using sim::RunResult;

// ---- Output buffer ------------------------------------------------------------------------------

class Out {
 public:
  explicit Out(std::ostream& out) : out_(out) {}
  ~Out() { Flush(); }
  template <typename... Args>
  void Add(const Args&... args) {
    absl::StrAppend(&buf_, args...);
    if (buf_.size() >= (256u << 10)) Flush();
  }
  void Flush() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

 private:
  std::ostream& out_;
  std::string buf_;
};

// ---- Blob numbers -------------------------------------------------------------------------------

// Nanoseconds as milliseconds rounded to the microsecond: "10000", "10000.25", "-0.001".
std::string BlobMs(int64_t ns) {
  uint64_t mag = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  uint64_t us = mag / 1000 + (mag % 1000 >= 500 ? 1 : 0);  // half away from zero
  std::string s = absl::StrCat(ns < 0 && us != 0 ? "-" : "", us / 1000);
  if (uint64_t frac = us % 1000) {
    std::string f = absl::StrFormat("%03d", frac);
    while (f.back() == '0') f.pop_back();
    absl::StrAppend(&s, ".", f);
  }
  return s;
}

class Interner {
 public:
  int Id(const std::string& s) {
    auto [it, inserted] = ids_.emplace(s, static_cast<int>(strings_.size()));
    if (inserted) strings_.push_back(&it->first);
    return it->second;
  }
  int IdOrNone(const std::string& s) { return s.empty() ? -1 : Id(s); }
  const std::vector<const std::string*>& strings() const { return strings_; }

 private:
  std::map<std::string, int> ids_;
  std::vector<const std::string*> strings_;
};

// ---- Shared model of the page -------------------------------------------------------------------

struct Lanes {
  std::vector<std::string> ns, brokers, producers;
  std::map<std::string, int, std::less<>> ns_idx, broker_idx, producer_idx;
};

void AddLane(std::vector<std::string>& v, std::map<std::string, int, std::less<>>& idx,
             const std::string& name) {
  if (idx.emplace(name, static_cast<int>(v.size())).second) v.push_back(name);
}

Lanes MakeLanes(const sim::Scenario& s, const std::vector<RunResult>& runs) {
  Lanes l;
  for (const std::string& ns : s.cluster.nameservers) AddLane(l.ns, l.ns_idx, ns);
  for (const sim::BrokerSpec& b : s.cluster.brokers) AddLane(l.brokers, l.broker_idx, b.name);
  for (const sim::ProducerSpec& p : s.producers) {
    for (int i = 0; i < p.instances; ++i) {
      AddLane(l.producers, l.producer_idx, absl::StrCat(p.group, "#", i));
    }
  }
  std::set<std::string> ns, brokers, producers;  // extras, sorted
  for (const RunResult& r : runs) {
    for (const MessageRecord& m : r.messages) {
      if (!l.producer_idx.count(m.producer)) producers.insert(m.producer);
      for (const AttemptRecord& a : m.attempts) {
        if (!l.broker_idx.count(a.broker)) brokers.insert(a.broker);
      }
      for (const sim::StoredCopy& c : m.stored) {
        if (!l.broker_idx.count(c.broker)) brokers.insert(c.broker);
      }
    }
    for (const core::Event& e : r.events) {
      if (e.actor.rfind("nameserver:", 0) == 0 && !l.ns_idx.count(e.actor.substr(11))) {
        ns.insert(e.actor.substr(11));
      }
    }
  }
  for (const std::string& n : ns) AddLane(l.ns, l.ns_idx, n);
  for (const std::string& b : brokers) AddLane(l.brokers, l.broker_idx, b);
  for (const std::string& p : producers) AddLane(l.producers, l.producer_idx, p);
  return l;
}

struct Page {
  const sim::Scenario& s;
  const std::vector<RunResult>& runs;
  const HtmlOptions& opts;
  Lanes lanes;
  std::vector<Divergence> divergences;      // all of them
  std::set<std::string_view> diverging_ids;
  std::vector<RunCauses> causes;            // per run
};

std::string Esc(std::string_view s) { return HtmlEscape(s); }

// ---- Header -------------------------------------------------------------------------------------

bool IsWebLink(std::string_view s) {
  return (s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0) &&
         s.find_first_of(" \t\r\n\"'<>") == std::string_view::npos;
}

void WriteHeader(Out& o, const Page& p) {
  const sim::Scenario& s = p.s;
  o.Add("<header>\n<h1>", Esc(s.title), "</h1>\n<p class=\"meta\">scenario <code>", Esc(s.id),
        "</code> &middot; seed <b>", s.seed, "</b> &middot; horizon <b>", FormatMs(s.duration),
        " ms</b> &middot; profiles ");
  for (size_t i = 0; i < p.runs.size(); ++i) {
    o.Add(i ? " vs " : "", "<b>", Esc(p.runs[i].profile), "</b>");
  }
  if (!s.path.empty()) o.Add(" &middot; file <code>", Esc(s.path), "</code>");
  o.Add("</p>\n");
  if (!s.description.empty()) o.Add("<div class=\"desc\">", Esc(s.description), "</div>\n");
  if (!s.references.empty()) {
    o.Add("<ul class=\"refs\">");
    for (const std::string& r : s.references) {
      if (IsWebLink(r)) {
        o.Add("<li><a href=\"", Esc(r), "\" rel=\"noreferrer\">", Esc(r), "</a></li>");
      } else {
        o.Add("<li>", Esc(r), "</li>");
      }
    }
    o.Add("</ul>\n");
  }
  if (!p.opts.reproduce_command.empty()) {
    o.Add("<p class=\"repro\">reproduce: <code>", Esc(p.opts.reproduce_command), "</code></p>\n");
  }
  o.Add("</header>\n");
}

std::vector<std::pair<std::string, std::vector<std::string>>> MetricRows(const Page& p) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto add = [&](std::string name, auto value) {
    std::vector<std::string> v;
    for (const RunResult& r : p.runs) v.push_back(value(r.summary));
    rows.emplace_back(std::move(name), std::move(v));
  };
  if (p.runs.empty()) return rows;
  bool consumers = false;
  for (const RunResult& r : p.runs) consumers = consumers || r.summary.has_consumers;
  for (std::string_view name : sim::MetricNames()) {
    std::optional<double> probe = sim::MetricValue(p.runs.front().summary, name);
    if (!probe) continue;
    if (!consumers && sim::IsConsumerMetric(name)) continue;
    bool latency = name.find("_ms") != std::string_view::npos;
    add(std::string(name), [&](const sim::Summary& sm) {
      double v = sim::MetricValue(sm, name).value_or(0);
      return latency ? FormatDouble(v) : absl::StrCat(static_cast<int64_t>(v));
    });
  }
  std::set<std::string> brokers, errors;
  for (const RunResult& r : p.runs) {
    for (const auto& [b, n] : r.summary.stored_by_broker) brokers.insert(b);
    for (const auto& [e, n] : r.summary.errors_by_type) errors.insert(e);
  }
  auto lookup = [](const std::map<std::string, int64_t>& m, const std::string& k) {
    auto it = m.find(k);
    return absl::StrCat(it == m.end() ? 0 : it->second);
  };
  for (const std::string& b : brokers) {
    add("stored." + b, [&](const sim::Summary& sm) { return lookup(sm.stored_by_broker, b); });
  }
  for (const std::string& e : errors) {
    add("errors." + e, [&](const sim::Summary& sm) { return lookup(sm.errors_by_type, e); });
  }
  return rows;
}

void WriteSummary(Out& o, const Page& p) {
  o.Add("<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"metrics\"><thead><tr>"
        "<th>metric</th>");
  for (const RunResult& r : p.runs) o.Add("<th>", Esc(r.profile), "</th>");
  o.Add("</tr></thead>\n<tbody>\n");
  for (const auto& row : MetricRows(p)) {
    // (Not a structured binding: clang before 16 cannot capture one in the lambda below.)
    const auto& name = row.first;
    const auto& values = row.second;
    bool differ = std::any_of(values.begin(), values.end(),
                              [&](const std::string& v) { return v != values.front(); });
    o.Add(differ ? "<tr class=\"diff\">" : "<tr>", "<th>", Esc(name), "</th>");
    for (const std::string& v : values) o.Add("<td>", v, "</td>");
    o.Add("</tr>\n");
  }
  o.Add("</tbody></table>\n</section>\n");
}

void WriteCauses(Out& o, const Page& p) {
  o.Add("<section id=\"causes\">\n<h2>Loss and duplicate causes</h2>\n");
  bool any = false;
  for (const RunCauses& c : p.causes) any = any || !c.messages.empty();
  if (!any) {
    o.Add("<p class=\"none\">No message was lost or duplicated in any profile.</p>\n</section>\n");
    return;
  }
  o.Add("<table class=\"causes\"><thead><tr><th rowspan=\"2\">cause</th>");
  for (const RunCauses& c : p.causes) o.Add("<th colspan=\"2\">", Esc(c.profile), "</th>");
  o.Add("</tr><tr>");
  for (size_t i = 0; i < p.causes.size(); ++i) o.Add("<th>lost</th><th>duplicated</th>");
  o.Add("</tr></thead>\n<tbody>\n");
  for (Cause cause : AllCauses()) {
    size_t k = static_cast<size_t>(cause);
    bool row = false;
    for (const RunCauses& c : p.causes) row = row || c.losses[k] || c.duplicates[k];
    if (!row) continue;
    o.Add("<tr><th>", CauseName(cause), "</th>");
    for (const RunCauses& c : p.causes) {
      o.Add(c.losses[k] ? "<td class=\"bad\">" : "<td class=\"zero\">", c.losses[k], "</td>",
            c.duplicates[k] ? "<td class=\"dup\">" : "<td class=\"zero\">", c.duplicates[k],
            "</td>");
    }
    o.Add("</tr>\n");
  }
  o.Add("</tbody></table>\n</section>\n");
}

void WriteTimelineSection(Out& o) {
  o.Add(R"HTML(<section id="timeline">
<h2>Timeline</h2>
<div class="toolbar" role="toolbar" aria-label="timeline controls">
<button type="button" data-act="in" title="zoom in (+)">+</button>
<button type="button" data-act="out" title="zoom out (-)">&minus;</button>
<button type="button" data-act="left" title="pan left (&larr;)">&larr;</button>
<button type="button" data-act="right" title="pan right (&rarr;)">&rarr;</button>
<button type="button" data-act="fit" title="show everything (0)">fit</button>
<button type="button" data-act="clear" title="clear the selection (Esc)">clear selection</button>
<span id="range"></span>
<span class="legend"><i class="c-ok"></i>ok <i class="c-error"></i>error <i class="c-timeout"></i>timeout <i class="c-status"></i>non-OK status <i class="c-pending"></i>unfinished <i class="c-fault"></i>fault <b class="m-bad">&#9670;</b>failed/lost <b class="m-dup">&#9650;</b>duplicated</span>
</div>
<p class="hint">Wheel to zoom, drag to pan, hover for details, click a mark to follow its message in every profile.</p>
<div id="tl-wrap"><svg id="tl" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="timeline"></svg>
<noscript><p>The timeline needs JavaScript; the tables above and the JSON output have the same data.</p></noscript></div>
<div id="tip" hidden></div>
<div id="sel" hidden></div>
</section>
)HTML");
}

void WriteDivergences(Out& o, const Page& p) {
  o.Add("<section id=\"divergence\">\n<h2>First divergence</h2>\n");
  if (p.runs.size() < 2) {
    o.Add("<p class=\"none\">Only one profile was run.</p>\n</section>\n");
    return;
  }
  if (p.divergences.empty()) {
    o.Add("<p class=\"none\">Every message had the same outcome and stored copies in every "
          "profile.</p>\n</section>\n");
    return;
  }
  o.Add("<p>", p.divergences.size(), " message(s) end differently. Click one to show it in the "
        "timeline.</p>\n<ol class=\"div\">\n");
  size_t shown = std::min(p.divergences.size(), p.opts.max_divergences);
  for (size_t i = 0; i < shown; ++i) {
    const Divergence& d = p.divergences[i];
    o.Add("<li><a href=\"#timeline\" data-msg=\"", Esc(d.message_id), "\">", Esc(d.message_id),
          "</a> <span class=\"at\">attempt ", d.attempt, "</span>: ");
    for (size_t k = 0; k < d.steps.size(); ++k) {
      o.Add(k ? "; " : "", "<b>", Esc(d.steps[k].profile), "</b>: ", Esc(d.steps[k].text));
    }
    o.Add("</li>\n");
  }
  o.Add("</ol>\n");
  if (shown < p.divergences.size()) {
    o.Add("<p class=\"more\">&hellip; and ", p.divergences.size() - shown, " more.</p>\n");
  }
  o.Add("</section>\n");
}

// ---- Data blob ----------------------------------------------------------------------------------

int Flags(const MessageRecord& m, bool diverges) {
  int f = 0;
  if (m.stored.empty()) f |= 1;
  if (m.stored.size() >= 2) f |= 2;
  if (m.stored.empty() && m.outcome == sim::Outcome::kOk) f |= 4;
  if (!m.stored.empty() && m.outcome == sim::Outcome::kFailed) f |= 8;
  if (diverges) f |= 16;
  if (m.callbacks > 1) f |= 32;
  return f;
}

int OutcomeCode(sim::Outcome o) {
  return o == sim::Outcome::kOk ? 0 : o == sim::Outcome::kFailed ? 1 : 2;
}

// Nanoseconds rounded to whole microseconds, half away from zero (as BlobMs).
int64_t Us(int64_t ns) {
  uint64_t mag = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  int64_t us = static_cast<int64_t>(mag / 1000 + (mag % 1000 >= 500 ? 1 : 0));
  return ns < 0 ? -us : us;
}

// The sequence number of an id "<producer>/<seq>" (no leading zero, at most 15 digits), or -1.
int64_t MessageSeq(const MessageRecord& m) {
  std::string_view id = m.id;
  if (id.size() > m.producer.size() + 1 && id.substr(0, m.producer.size()) == m.producer &&
      id[m.producer.size()] == '/') {
    std::string_view seq = id.substr(m.producer.size() + 1);
    bool digits = seq.size() <= 15 && seq[0] != '0' &&
                  std::all_of(seq.begin(), seq.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) {
      int64_t n = 0;
      for (char c : seq) n = n * 10 + (c - '0');
      return n;
    }
  }
  return -1;
}

// Writes the blob (schema in html_timeline.h). Three things keep a 100,000-message, four-profile
// report well under 20 MB: a message written in full by an earlier profile, at the same index and
// with exactly the same encoding, is written as that profile's number; the tuples repeated by many
// messages (producer, outcome, flags, error, cause, number of stored copies) and by many attempts
// (result, path, decision, detail) are tables ("K", "A") referenced by index; and times are
// integer microseconds, a message's send time as the difference to the previous message written in
// full, its id's sequence number as the difference to that of the previous message of the same
// producer written in full. The page decodes it back to exactly the values of the former layout.
class BlobWriter {
 public:
  BlobWriter(Out& o, const Page& p) : o_(o), p_(p) {}

  void Write() {
    // Strings and tuples are interned while the runs are written, so runs go to a side buffer.
    std::string runs;
    for (size_t i = 0; i < p_.runs.size(); ++i) {
      runs += i ? ",\n" : "\n";
      AppendRun(runs, i);
    }
    o_.Add("{\"v\": 2, \"horizon\": ", BlobMs(Horizon()), ",\n\"S\": [");
    const auto& strings = interner_.strings();
    for (size_t i = 0; i < strings.size(); ++i) o_.Add(i ? "," : "", JsonQuote(*strings[i]));
    o_.Add("],\n\"K\": [");
    for (size_t i = 0; i < kinds_.size(); ++i) o_.Add(i ? "," : "", Tuple(*kinds_[i]));
    o_.Add("],\n\"A\": [");
    for (size_t i = 0; i < attempt_kinds_.size(); ++i) {
      o_.Add(i ? "," : "", Tuple(*attempt_kinds_[i]));
    }
    o_.Add("],\n\"ns\": ", List(p_.lanes.ns), ", \"brokers\": ", List(p_.lanes.brokers),
           ", \"producers\": ", List(p_.lanes.producers), ",\n\"runs\": [");
    o_.Add(runs, "],\n\"div\": {");
    size_t shown = std::min(p_.divergences.size(), p_.opts.max_divergences);
    for (size_t i = 0; i < shown; ++i) {
      const Divergence& d = p_.divergences[i];
      o_.Add(i ? ",\n" : "\n", JsonQuote(d.message_id), ": [", d.attempt, ", [");
      for (size_t k = 0; k < d.steps.size(); ++k) o_.Add(k ? ", " : "", JsonQuote(d.steps[k].text));
      o_.Add("]]");
    }
    o_.Add("}}");
  }

 private:
  using Ints = std::vector<int64_t>;

  // Index of a tuple in a table, added on first use.
  static int TupleId(std::map<Ints, int>& ids, std::vector<const Ints*>& table, Ints t) {
    auto [it, inserted] = ids.emplace(std::move(t), static_cast<int>(table.size()));
    if (inserted) table.push_back(&it->first);
    return it->second;
  }

  static std::string Tuple(const Ints& t) {
    std::string s = "[";
    for (size_t i = 0; i < t.size(); ++i) absl::StrAppend(&s, i ? "," : "", t[i]);
    return s + "]";
  }

  int64_t Horizon() const {
    int64_t h = p_.s.duration.ns();
    for (const RunResult& r : p_.runs) h = std::max(h, r.end.ns());
    return h;
  }

  static std::string List(const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) absl::StrAppend(&s, i ? ", " : "", JsonQuote(v[i]));
    return s + "]";
  }

  void AppendRun(std::string& o, size_t run) {
    const RunResult& r = p_.runs[run];
    const RunCauses& causes = p_.causes[run];
    absl::StrAppend(&o, "{\"profile\": ", JsonQuote(r.profile), ", \"end\": ", BlobMs(r.end.ns()),
                    ",\n \"faults\": [");
    std::vector<FaultInterval> faults = FaultIntervals(p_.s, r);
    for (size_t i = 0; i < faults.size(); ++i) {
      const FaultInterval& f = faults[i];
      absl::StrAppend(&o, i ? ", " : "", "[", BlobMs(f.begin.ns()), ", ",
                      f.end ? BlobMs(f.end->ns()) : "null", ", ", JsonQuote(f.text), "]");
    }
    o += "],\n \"nsev\": [";
    size_t nsev = 0;
    for (const core::Event& e : r.events) {
      if (nsev >= p_.opts.max_nameserver_events) break;
      if (e.actor.rfind("nameserver:", 0) != 0) continue;
      auto it = p_.lanes.ns_idx.find(std::string_view(e.actor).substr(11));
      // Interned one statement at a time: the string table's order must not depend on the
      // compiler's order of evaluating arguments (g++ and clang differ; found by the
      // determinism gate, Release g++ vs Debug clang).
      int kind = interner_.Id(e.kind);
      int text = interner_.Id(e.text);
      absl::StrAppend(&o, nsev++ ? ", " : "", "[", BlobMs(e.t.ns()), ",", it->second, ",", kind,
                      ",", text, "]");
    }
    o += "],\n \"m\": [";
    keys_.emplace_back();
    std::vector<std::string>& keys = keys_.back();
    keys.reserve(r.messages.size());
    int64_t prev_sent_us = 0;
    std::vector<int64_t> prev_seq(p_.lanes.producers.size(), 0);
    size_t c = 0;  // causes.messages follow run.messages' order
    for (size_t i = 0; i < r.messages.size(); ++i) {
      const MessageRecord& m = r.messages[i];
      int cause = -1;
      if (c < causes.messages.size() && causes.messages[c].message_id == m.id) {
        cause = interner_.Id(CauseName(causes.messages[c++].cause));
      }
      o += i ? ",\n" : "\n";
      int producer = p_.lanes.producer_idx.find(m.producer)->second;
      int64_t sent_us = Us(m.sent.ns());
      std::string tail = Tail(m, producer, cause);
      // The message exactly: its id, kind, send time and the rest (relative to its send time).
      keys.push_back(absl::StrCat(m.id, "\n", sent_us, tail));
      size_t same = 0;
      while (same < run && !(i < keys_[same].size() && keys_[same][i] == keys.back())) ++same;
      if (same < run) {
        absl::StrAppend(&o, same);
        continue;
      }
      int64_t seq = MessageSeq(m);
      if (seq >= 0) {
        absl::StrAppend(&o, "[", seq - prev_seq[static_cast<size_t>(producer)]);
        prev_seq[static_cast<size_t>(producer)] = seq;
      } else {
        absl::StrAppend(&o, "[", JsonQuote(m.id));
      }
      // Tail starts with the kind: [id, kind, sent delta, ...] is written as id, kind, delta, rest.
      size_t comma = tail.find(',', 1);
      o.append(tail, 0, comma);
      absl::StrAppend(&o, ",", sent_us - prev_sent_us);
      o.append(tail, comma);
      o += "]";
      prev_sent_us = sent_us;
    }
    o += "]}";
  }

  // ",kind,resolved,stored...,attempts..." of a message, times relative to its send time.
  std::string Tail(const MessageRecord& m, int producer, int cause) {
    int64_t sent = m.sent.ns();
    std::string error = m.error ? absl::StrCat(m.error->type, ": ", m.error->message) : "";
    if (m.error && !m.error->cause.empty()) absl::StrAppend(&error, " (cause: ", m.error->cause, ")");
    int error_id = interner_.IdOrNone(error);
    int kind = TupleId(kind_ids_, kinds_,
                       {producer, OutcomeCode(m.outcome), Flags(m, p_.diverging_ids.count(m.id) > 0),
                        error_id, cause, static_cast<int64_t>(m.stored.size())});
    std::string o = absl::StrCat(",", kind, ",");
    if (m.resolved) {
      absl::StrAppend(&o, Us(m.resolved->ns() - sent));
    } else {
      o += "null";
    }
    for (const sim::StoredCopy& s : m.stored) {
      absl::StrAppend(&o, ",", p_.lanes.broker_idx.find(s.broker)->second, ",", s.queue, ",",
                      Us(s.at.ns() - sent));
    }
    for (const AttemptRecord& a : m.attempts) {
      int result = interner_.Id(a.result);  // one at a time, as above
      int path = interner_.Id(a.path);
      int decision = interner_.IdOrNone(a.decision);
      int detail = interner_.IdOrNone(a.detail);
      int attempt_kind = TupleId(attempt_kind_ids_, attempt_kinds_, {result, path, decision, detail});
      absl::StrAppend(&o, ",", p_.lanes.broker_idx.find(a.broker)->second, ",", a.queue, ",",
                      Us(a.start.ns() - sent), ",",
                      a.end ? absl::StrCat(Us(a.end->ns() - a.start.ns())) : "null", ",",
                      attempt_kind);
    }
    return o;
  }

  Out& o_;
  const Page& p_;
  Interner interner_;
  std::map<Ints, int> kind_ids_, attempt_kind_ids_;
  std::vector<const Ints*> kinds_, attempt_kinds_;
  std::vector<std::vector<std::string>> keys_;  // per run written so far, per message
};

void WriteDocument(Out& o, const Page& p) {
  o.Add("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"", Esc(p.opts.generator), "\">\n<title>",
        Esc(p.s.title), " &mdash; rmqsim</title>\n<style>\n", kHtmlTimelineCss);
  const bool consumers = HasConsumers(p.runs);
  if (consumers) o.Add(ConsumerSectionCss());
  o.Add("</style>\n</head>\n<body>\n");
  WriteHeader(o, p);
  WriteSummary(o, p);
  WriteCauses(o, p);
  WriteTimelineSection(o);
  WriteDivergences(o, p);
  if (consumers) o.Add(ConsumerSectionHtml(p.s, p.runs));
  o.Add("<footer>Generated by ", Esc(p.opts.generator), " &middot; seed ", p.s.seed,
        " &middot; virtual time in milliseconds</footer>\n");
  o.Add("<script type=\"application/json\" id=\"data\">");
  BlobWriter(o, p).Write();
  o.Add("</script>\n<script>\n", kHtmlTimelineJs, "</script>\n</body>\n</html>\n");
}

}  // namespace

void WriteHtmlTimeline(std::ostream& out, const sim::Scenario& s,
                       const std::vector<sim::RunResult>& runs, const HtmlOptions& opts) {
  Page p{s, runs, opts, MakeLanes(s, runs), FindDivergences(runs), {}, {}};
  for (const Divergence& d : p.divergences) p.diverging_ids.insert(d.message_id);
  for (const RunResult& r : runs) p.causes.push_back(ClassifyCauses(r));
  Out o(out);
  WriteDocument(o, p);
}

}  // namespace rmqsim::reports
