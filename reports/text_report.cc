#include "reports/text_report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reports/divergence.h"
#include "reports/timeline_json.h"
#include "sim/expect.h"

namespace rmqsim::reports {
namespace {

std::vector<std::string> MetricRows(const std::vector<sim::RunResult>& runs) {
  std::vector<std::string> rows = {"messages", "ok", "failed", "unresolved", "lost",
                                   "silent_loss", "duplicated", "false_failure", "stored",
                                   "attempts", "retries", "attempts_max", "latency_p50_ms",
                                   "latency_p99_ms", "latency_max_ms"};
  // 5.3.3's double callback (Q9): shown when a run has one, so other reports stay as they were.
  bool double_callback = false;
  for (const auto& r : runs) double_callback = double_callback || r.summary.double_callback > 0;
  if (double_callback) rows.push_back("double_callback");
  bool consumers = false;
  for (const auto& r : runs) consumers = consumers || r.summary.has_consumers;
  if (consumers) {
    for (const char* m : {"consumed", "dead_lettered", "dropped", "pending", "deliveries",
                          "redeliveries", "consumer_duplicates", "delivery_latency_p99_ms"}) {
      rows.push_back(m);
    }
  }
  std::vector<std::string> extra;
  for (const auto& r : runs) {
    for (const auto& [b, n] : r.summary.stored_by_broker) extra.push_back("stored." + b);
    for (const auto& [t, n] : r.summary.errors_by_type) extra.push_back("errors." + t);
  }
  std::sort(extra.begin(), extra.end());
  extra.erase(std::unique(extra.begin(), extra.end()), extra.end());
  rows.insert(rows.end(), extra.begin(), extra.end());
  return rows;
}

std::string AttemptChain(const sim::MessageRecord& m) {
  std::string s;
  for (const auto& a : m.attempts) {
    if (!s.empty()) s += " -> ";
    absl::StrAppend(&s, a.broker, ":", a.queue, " ", a.result.empty() ? "pending" : a.result,
                    " @", FormatMs(a.start), "ms");
  }
  return s.empty() ? "(no attempt)" : s;
}

void WriteMessages(std::ostream& out, const sim::RunResult& r, const TextOptions& opts) {
  std::vector<const sim::MessageRecord*> notable;
  bool double_callback = false;
  for (const auto& m : r.messages) {
    double_callback = double_callback || m.callbacks > 1;
    if (m.outcome != sim::Outcome::kOk || m.stored.empty() || m.stored.size() > 1 ||
        m.callbacks > 1) {
      notable.push_back(&m);
    }
  }
  out << "\n" << r.profile << ": " << notable.size()
      << (double_callback ? " failed, unresolved, lost, duplicated or double-callback messages\n"
                          : " failed, unresolved, lost or duplicated messages\n");
  size_t shown = 0;
  for (const sim::MessageRecord* m : notable) {
    if (shown++ == opts.max_messages) {
      out << "  ... and " << notable.size() - opts.max_messages << " more\n";
      break;
    }
    std::string what = sim::OutcomeName(m->outcome);
    if (m->stored.empty()) what += ", lost";
    if (m->stored.size() > 1) absl::StrAppend(&what, ", stored ", m->stored.size(), " times");
    if (m->callbacks > 1) {  // Q9: the first result stands, the later calls are not dropped
      absl::StrAppend(&what, ", callback ran ", m->callbacks, " times (first result kept)");
    }
    out << "  " << m->id << " (" << sim::SendModeName(m->mode) << ", sent @" << FormatMs(m->sent)
        << "ms): " << what << "\n";
    out << "    attempts: " << AttemptChain(*m) << "\n";
    if (m->error) out << "    error: " << m->error->type << ": " << m->error->message << "\n";
  }
}

}  // namespace

void WriteComparison(std::ostream& out, const sim::Scenario& s,
                     const std::vector<sim::RunResult>& runs, uint64_t seed,
                     const TextOptions& opts) {
  out << s.title << "\n";
  out << "scenario " << s.id << ", seed " << seed << ", horizon " << s.duration.ToString() << "\n\n";
  std::vector<std::string> rows = MetricRows(runs);
  size_t w0 = 6;
  for (const auto& r : rows) w0 = std::max(w0, r.size());
  out << absl::StrFormat("  %-*s", static_cast<int>(w0), "metric");
  for (const auto& r : runs) out << absl::StrFormat(" %10s", r.profile);
  out << "\n";
  for (const std::string& row : rows) {
    std::vector<std::string> cells;
    for (const auto& r : runs) cells.push_back(sim::FormatMetric(*sim::MetricValue(r.summary, row)));
    bool differs = std::adjacent_find(cells.begin(), cells.end(), std::not_equal_to<>()) != cells.end();
    out << (differs ? "* " : "  ") << absl::StrFormat("%-*s", static_cast<int>(w0), row);
    for (const auto& c : cells) out << absl::StrFormat(" %10s", c);
    out << "\n";
  }
  bool records = true;
  for (const auto& r : runs) records = records && r.accounting == sim::Accounting::kFull;
  if (!records) {
    // Compact accounting (`--summary-only`): no per-message records to list or compare.
    out << "\n(summary only: per-message records were not kept)\n";
    return;
  }
  for (const auto& r : runs) WriteMessages(out, r, opts);
  if (runs.size() > 1) {
    std::vector<Divergence> d = FindDivergences(runs);
    out << "\nFirst divergence (" << d.size() << " messages differ between profiles)\n";
    for (size_t i = 0; i < d.size() && i < opts.max_divergences; ++i) {
      out << "  " << d[i].message_id << " at attempt " << d[i].attempt << ": " << d[i].sentence
          << "\n";
    }
    if (d.size() > opts.max_divergences) {
      out << "  ... and " << d.size() - opts.max_divergences << " more\n";
    }
  }
}

}  // namespace rmqsim::reports
