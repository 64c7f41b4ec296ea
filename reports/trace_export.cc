#include "reports/trace_export.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/escape.h"
#include "reports/timeline_json.h"

namespace rmqsim::reports {
namespace {

using core::SimTime;
using sim::AttemptRecord;
using sim::MessageRecord;
using sim::RunResult;

constexpr int64_t kMinSliceNs = 1000;  // 1 us: viewers drop or mis-nest empty slices

// ---- Fault intervals ----------------------------------------------------------------------------

std::string FaultKey(const core::Event& e) {
  for (const auto& [k, v] : e.fields) {
    if (k == "target") return v;
  }
  size_t space = e.text.find_last_of(' ');
  return space == std::string::npos ? e.text : e.text.substr(space + 1);
}

std::vector<FaultInterval> FromEvents(const RunResult& run, bool* any) {
  std::vector<FaultInterval> out;
  std::vector<std::pair<std::string, size_t>> open;  // key, index into out; oldest first
  for (const core::Event& e : run.events) {
    if (e.actor != "fault") continue;
    if (e.kind == "fault_begin") {
      *any = true;
      open.emplace_back(FaultKey(e), out.size());
      out.push_back(FaultInterval{e.t, std::nullopt, e.text, ""});
    } else if (e.kind == "fault_end") {
      *any = true;
      if (open.empty()) continue;
      std::string key = FaultKey(e);
      auto it = std::find_if(open.begin(), open.end(), [&](const auto& o) { return o.first == key; });
      if (it == open.end()) it = open.begin();
      out[it->second].end = e.t;
      out[it->second].end_text = e.text;
      open.erase(it);
    }
  }
  return out;
}

std::vector<FaultInterval> FromSpec(const sim::Scenario& s) {
  std::vector<sim::FaultSpec> faults = s.faults;
  std::stable_sort(faults.begin(), faults.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  std::vector<FaultInterval> out;
  std::map<std::string, size_t> open;  // target name -> index
  for (const sim::FaultSpec& f : faults) {
    SimTime at = SimTime::Zero() + f.at;
    std::string text = absl::StrCat(sim::FaultActionName(f.action), " ",
                                    f.target.text.empty() ? f.target.name : f.target.text);
    if (f.action == sim::FaultAction::kStart || f.action == sim::FaultAction::kHeal) {
      auto it = open.find(f.target.name);
      if (it != open.end()) {
        out[it->second].end = at;
        out[it->second].end_text = text;
        open.erase(it);
      }
      continue;
    }
    FaultInterval fi{at, std::nullopt, text, ""};
    if (f.for_duration) {
      fi.end = at + *f.for_duration;
      fi.end_text = "heal " + (f.target.text.empty() ? f.target.name : f.target.text);
    } else {
      open[f.target.name] = out.size();
    }
    out.push_back(std::move(fi));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.begin < b.begin; });
  return out;
}

// ---- Per-run layout -----------------------------------------------------------------------------

struct Thread {
  int tid = 0;
  std::string name;
};

struct Layout {
  std::vector<Thread> threads;                      // display order = tid order
  std::map<std::string, int, std::less<>> actor_tid;  // "broker:broker-a" -> tid
  std::map<std::string, std::vector<int>> lane_tids;  // broker -> lane tids
  std::vector<std::vector<int>> lane;               // [message][attempt] -> lane index
  int fault_tid = 0;
};

int64_t EndNs(const AttemptRecord& a, int64_t run_end_ns) {
  return std::max(a.start.ns(), a.end ? a.end->ns() : run_end_ns);
}
int64_t SliceEndNs(const AttemptRecord& a, int64_t run_end_ns) {
  return std::max(EndNs(a, run_end_ns), a.start.ns() + kMinSliceNs);
}

int64_t RunEndNs(const RunResult& r) {
  int64_t end = r.end.ns();
  for (const MessageRecord& m : r.messages) {
    end = std::max(end, m.sent.ns());
    if (m.resolved) end = std::max(end, m.resolved->ns());
    for (const AttemptRecord& a : m.attempts) {
      end = std::max(end, a.start.ns());
      if (a.end) end = std::max(end, a.end->ns());
    }
  }
  return end;
}

std::vector<std::string> ActorOrder(const sim::Scenario& s, const RunResult& r) {
  std::vector<std::string> actors;
  for (const std::string& ns : s.cluster.nameservers) actors.push_back("nameserver:" + ns);
  for (const sim::BrokerSpec& b : s.cluster.brokers) actors.push_back("broker:" + b.name);
  for (const sim::ProducerSpec& p : s.producers) {
    for (int i = 0; i < p.instances; ++i) actors.push_back(absl::StrCat("producer:", p.group, "#", i));
  }
  std::set<std::string> known(actors.begin(), actors.end());
  std::set<std::string> extra;
  auto note = [&](std::string a) {
    if (a != "fault" && !known.count(a)) extra.insert(std::move(a));
  };
  for (const MessageRecord& m : r.messages) {
    note("producer:" + m.producer);
    for (const AttemptRecord& a : m.attempts) note("broker:" + a.broker);
  }
  for (const core::Event& e : r.events) note(e.actor);
  actors.insert(actors.end(), extra.begin(), extra.end());
  return actors;
}

// Packs each broker's attempts onto lanes so that no two slices on a lane overlap.
std::map<std::string, int> PackLanes(const RunResult& r, int64_t run_end_ns, Layout& l) {
  struct Item {
    int64_t start, end;
    size_t m, k;
  };
  std::map<std::string, std::vector<Item>> by_broker;
  l.lane.resize(r.messages.size());
  for (size_t m = 0; m < r.messages.size(); ++m) {
    const auto& attempts = r.messages[m].attempts;
    l.lane[m].resize(attempts.size());
    for (size_t k = 0; k < attempts.size(); ++k) {
      by_broker[attempts[k].broker].push_back(
          {attempts[k].start.ns(), SliceEndNs(attempts[k], run_end_ns), m, k});
    }
  }
  std::map<std::string, int> lanes;
  for (auto& [broker, items] : by_broker) {
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      return std::tie(a.start, a.end, a.m, a.k) < std::tie(b.start, b.end, b.m, b.k);
    });
    std::multimap<int64_t, int> busy;  // end -> lane
    std::set<int> free;
    int count = 0;
    for (const Item& it : items) {
      while (!busy.empty() && busy.begin()->first <= it.start) {
        free.insert(busy.begin()->second);
        busy.erase(busy.begin());
      }
      int lane;
      if (free.empty()) {
        lane = count++;
      } else {
        lane = *free.begin();
        free.erase(free.begin());
      }
      busy.emplace(it.end, lane);
      l.lane[it.m][it.k] = lane;
    }
    lanes[broker] = count;
  }
  return lanes;
}

Layout MakeLayout(const sim::Scenario& s, const RunResult& r, int64_t run_end_ns) {
  Layout l;
  std::map<std::string, int> lanes = PackLanes(r, run_end_ns, l);
  int tid = 0;
  for (const std::string& actor : ActorOrder(s, r)) {
    l.threads.push_back({++tid, actor});
    l.actor_tid[actor] = tid;
    if (actor.rfind("broker:", 0) != 0) continue;
    std::string broker = actor.substr(7);
    auto it = lanes.find(broker);
    for (int i = 0; it != lanes.end() && i < it->second; ++i) {
      l.threads.push_back({++tid, absl::StrCat(broker, " attempts #", i + 1)});
      l.lane_tids[broker].push_back(tid);
    }
  }
  l.threads.push_back({++tid, "fault"});
  l.fault_tid = tid;
  return l;
}

// ---- Writing ------------------------------------------------------------------------------------

class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(out) {}
  ~Writer() { Flush(); }

  void Event(std::string_view json) {
    buf_ += first_ ? "\n" : ",\n";
    first_ = false;
    buf_ += json;
    if (buf_.size() >= (256u << 10)) Flush();
  }
  void Raw(std::string_view s) { buf_ += s; }
  void Flush() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

 private:
  std::ostream& out_;
  std::string buf_;
  bool first_ = true;
};

std::string Head(const char* ph, const std::string& name, const char* cat, int pid,
                 int tid, int64_t ts_ns) {
  return absl::StrCat("{\"ph\": \"", ph, "\", \"name\": ", JsonQuote(name), ", \"cat\": ",
                      JsonQuote(cat), ", \"pid\": ", pid, ", \"tid\": ", tid,
                      ", \"ts\": ", FormatUs(ts_ns));
}

std::string Metadata(const char* what, int pid, int tid, const std::string& arg) {
  return absl::StrCat("{\"ph\": \"M\", \"name\": \"", what, "\", \"pid\": ", pid,
                      ", \"tid\": ", tid, ", \"args\": {", arg, "}}");
}

std::string AttemptArgs(const MessageRecord& m, const AttemptRecord& a) {
  std::string s = absl::StrCat(
      "\"args\": {\"msg\": ", JsonQuote(m.id), ", \"n\": ", a.n, ", \"queue\": ", a.queue,
      ", \"result\": ", JsonQuote(a.result), ", \"path\": ", JsonQuote(a.path),
      ", \"decision\": ", JsonQuote(a.decision), ", \"detail\": ", JsonQuote(a.detail),
      ", \"thread\": ", JsonQuote(a.thread));
  if (!a.end) s += ", \"unfinished\": true";
  return s + "}";
}

class RunWriter {
 public:
  RunWriter(Writer& w, const sim::Scenario& s, const RunResult& r, int pid,
            const TraceOptions& opts, uint64_t* next_id)
      : w_(w), s_(s), r_(r), pid_(pid), opts_(opts), next_id_(next_id),
        end_ns_(RunEndNs(r)), l_(MakeLayout(s, r, end_ns_)) {}

  void Write() {
    WriteMetadata();
    WriteFaults();
    if (opts_.include_events) WriteEvents();
    for (size_t m = 0; m < r_.messages.size(); ++m) WriteMessage(m);
    WriteCounters();
  }

 private:
  int Tid(std::string_view actor) const {
    auto it = l_.actor_tid.find(actor);
    return it == l_.actor_tid.end() ? l_.fault_tid : it->second;
  }

  void WriteMetadata() {
    w_.Event(Metadata("process_name", pid_, 0, "\"name\": " + JsonQuote(r_.profile)));
    w_.Event(Metadata("process_sort_index", pid_, 0, absl::StrCat("\"sort_index\": ", pid_)));
    for (const Thread& t : l_.threads) {
      w_.Event(Metadata("thread_name", pid_, t.tid, "\"name\": " + JsonQuote(t.name)));
      w_.Event(Metadata("thread_sort_index", pid_, t.tid, absl::StrCat("\"sort_index\": ", t.tid)));
    }
  }

  void WriteFaults() {
    for (const FaultInterval& f : FaultIntervals(s_, r_)) {
      int64_t end = f.end ? f.end->ns() : end_ns_;
      std::string args = ", \"args\": {\"text\": " + JsonQuote(f.text) + "}}";
      w_.Event(Head("i", "fault: " + f.text, "fault", pid_, l_.fault_tid, f.begin.ns()) +
               ", \"s\": \"g\"" + args);
      uint64_t id = (*next_id_)++;
      w_.Event(Head("b", f.text, "fault", pid_, l_.fault_tid, f.begin.ns()) +
               absl::StrCat(", \"id\": ", id) + args);
      w_.Event(Head("e", f.text, "fault", pid_, l_.fault_tid, std::max(end, f.begin.ns())) +
               absl::StrCat(", \"id\": ", id, "}"));
      if (f.end) {
        w_.Event(Head("i", "fault end: " + (f.end_text.empty() ? f.text : f.end_text), "fault",
                      pid_, l_.fault_tid, end) +
                 ", \"s\": \"g\", \"args\": {\"text\": " + JsonQuote(f.end_text) + "}}");
      }
    }
  }

  void WriteEvents() {
    for (const core::Event& e : r_.events) {
      if (e.actor == "fault" && (e.kind == "fault_begin" || e.kind == "fault_end")) continue;
      std::string s = Head("i", e.kind, "event", pid_, Tid(e.actor), e.t.ns()) +
                      ", \"s\": \"t\", \"args\": {\"text\": " + JsonQuote(e.text);
      if (!e.msg.empty()) absl::StrAppend(&s, ", \"msg\": ", JsonQuote(e.msg));
      if (!e.fields.empty()) {
        s += ", \"fields\": {";
        for (size_t i = 0; i < e.fields.size(); ++i) {
          absl::StrAppend(&s, i ? ", " : "", JsonQuote(e.fields[i].first), ": ",
                          JsonQuote(e.fields[i].second));
        }
        s += "}";
      }
      w_.Event(s + "}}");
    }
  }

  int LaneTid(size_t m, size_t k) const {
    return l_.lane_tids.at(r_.messages[m].attempts[k].broker)[static_cast<size_t>(l_.lane[m][k])];
  }
  int64_t MidNs(const AttemptRecord& a) const {
    return a.start.ns() + (SliceEndNs(a, end_ns_) - a.start.ns()) / 2;
  }

  void WriteMessage(size_t mi) {
    const MessageRecord& m = r_.messages[mi];
    for (size_t k = 0; k < m.attempts.size(); ++k) {
      const AttemptRecord& a = m.attempts[k];
      std::string args = AttemptArgs(m, a);
      int broker_tid = Tid("broker:" + a.broker);
      uint64_t id = (*next_id_)++;
      std::string name = "send " + a.broker;
      // The lane slice carries every detail; the async span only what its track needs.
      w_.Event(Head("b", name, "attempt", pid_, broker_tid, a.start.ns()) +
               absl::StrCat(", \"id\": ", id, ", \"args\": {\"msg\": ", JsonQuote(m.id),
                            ", \"n\": ", a.n, ", \"result\": ", JsonQuote(a.result),
                            ", \"decision\": ", JsonQuote(a.decision), "}}"));
      w_.Event(Head("e", name, "attempt", pid_, broker_tid, EndNs(a, end_ns_)) +
               absl::StrCat(", \"id\": ", id, "}"));
      w_.Event(Head("X", m.id, "attempt", pid_, LaneTid(mi, k), a.start.ns()) +
               absl::StrCat(", \"dur\": ", FormatUs(SliceEndNs(a, end_ns_) - a.start.ns()), ", ",
                            args, "}"));
      if (k + 1 < m.attempts.size()) {
        uint64_t flow = (*next_id_)++;
        w_.Event(Head("s", "retry", "retry", pid_, LaneTid(mi, k), MidNs(a)) +
                 absl::StrCat(", \"id\": ", flow, "}"));
        w_.Event(Head("f", "retry", "retry", pid_, LaneTid(mi, k + 1), MidNs(m.attempts[k + 1])) +
                 absl::StrCat(", \"id\": ", flow, ", \"bp\": \"e\"}"));
      }
    }
    if (m.resolved) {
      std::string s = Head("i", sim::OutcomeName(m.outcome), "outcome", pid_,
                           Tid("producer:" + m.producer), m.resolved->ns()) +
                      ", \"s\": \"t\", \"args\": {\"msg\": " + JsonQuote(m.id) +
                      absl::StrCat(", \"stored\": ", m.stored.size(),
                                   ", \"attempts\": ", m.attempts.size());
      if (m.error) {
        absl::StrAppend(&s, ", \"error\": ", JsonQuote(m.error->type),
                        ", \"message\": ", JsonQuote(m.error->message));
      }
      w_.Event(s + "}}");
    }
  }

  void WriteCounters() {
    std::map<std::string, std::vector<std::pair<int64_t, int>>> changes;
    for (const MessageRecord& m : r_.messages) {
      for (const AttemptRecord& a : m.attempts) {
        auto& c = changes[a.broker];
        c.emplace_back(a.start.ns(), +1);
        c.emplace_back(EndNs(a, end_ns_), -1);
      }
    }
    for (auto& [broker, c] : changes) {
      std::sort(c.begin(), c.end());
      int64_t level = 0;
      for (size_t i = 0; i < c.size(); ++i) {
        level += c[i].second;
        if (i + 1 < c.size() && c[i + 1].first == c[i].first) continue;
        w_.Event(Head("C", "in-flight " + broker, "counter", pid_, Tid("broker:" + broker),
                      c[i].first) +
                 absl::StrCat(", \"args\": {\"requests\": ", level, "}}"));
      }
    }
  }

  Writer& w_;
  const sim::Scenario& s_;
  const RunResult& r_;
  int pid_;
  const TraceOptions& opts_;
  uint64_t* next_id_;
  int64_t end_ns_;
  Layout l_;
};

}  // namespace

std::vector<FaultInterval> FaultIntervals(const sim::Scenario& s, const RunResult& run) {
  bool any = false;
  std::vector<FaultInterval> out = FromEvents(run, &any);
  return any ? out : FromSpec(s);
}

std::string FormatUs(int64_t ns) {
  uint64_t mag = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  std::string s = absl::StrFormat("%s%d.%03d", ns < 0 ? "-" : "", mag / 1000, mag % 1000);
  while (s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

void WriteTraceJson(std::ostream& out, const sim::Scenario& s,
                    const std::vector<sim::RunResult>& runs, const TraceOptions& opts) {
  Writer w(out);
  std::vector<std::string> profiles;
  for (const RunResult& r : runs) profiles.push_back(JsonQuote(r.profile));
  w.Raw(absl::StrCat("{\"displayTimeUnit\": \"ms\", \"otherData\": {\"generator\": ",
                     JsonQuote(opts.generator), ", \"scenario\": ", JsonQuote(s.id),
                     ", \"title\": ", JsonQuote(s.title), ", \"seed\": ", s.seed,
                     ", \"duration_ms\": ", FormatMs(s.duration), ", \"profiles\": [",
                     absl::StrJoin(profiles, ", "), "]},\n\"traceEvents\": ["));
  uint64_t next_id = 1;
  for (size_t i = 0; i < runs.size(); ++i) {
    RunWriter(w, s, runs[i], static_cast<int>(i) + 1, opts, &next_id).Write();
  }
  w.Raw("\n]}\n");
}

}  // namespace rmqsim::reports
