// HTML timeline (`--html FILE`): one self-contained page comparing the runs of a scenario.
//
// The page has no external resources (inline CSS, JS and SVG; system fonts), opens from disk and
// prints legibly. It shows the scenario (title, description as text, references, seed, horizon,
// profiles, the reproduce command), the summary metrics side by side with differing values
// highlighted, a table of loss and duplicate causes per profile (divergence.h), the timeline, and
// the first-divergence list, whose entries select and zoom to their message in the timeline.
//
//   std::ofstream f("report.html");
//   WriteHtmlTimeline(f, scenario, runs, HtmlOptions{.reproduce_command = "rmqsim run x.yaml"});
//
// The timeline is drawn by inline JS from a JSON blob in <script type="application/json"
// id="data">: one lane group per profile on a shared virtual time axis, lanes for name servers,
// brokers and producers, fault intervals as shaded bands, attempts as marks on broker lanes joined
// by retry lineage lines and coloured by result (ok green, error red, timeout orange, non-OK status
// yellow). Wheel zooms, drag pans, hover explains, click selects a message in every profile. When
// more than a few thousand attempts are visible, lanes switch to per-pixel density histograms
// (problem messages stay individually marked) and return to full detail when zoomed in.
//
// Blob schema (compact, so 100,000 messages in each of four profiles stay well under 20 MB; internal
// to the page, whose script decodes it, not a documented format):
//   {"v": 2, "horizon": ms, "S": [interned strings],
//    "K": [[producer index, outcome 0 ok|1 failed|2 unresolved, flags, error S|-1, cause S|-1,
//           number of stored copies], ...]                               (message kinds)
//    "A": [[result S, path S, decision S|-1, detail S|-1], ...]          (attempt kinds)
//    "ns": [..], "brokers": [..], "producers": [..],
//    "runs": [{"profile", "end", "faults": [[begin, end|null, text]],
//              "nsev": [[t, ns index, kind S, text S]]          (first kMaxNameServerEvents),
//              "m": [one entry per message, one per line]}],
//    "div": {message id: [attempt, [per-profile text]]}}
//   A message entry is either an integer k: exactly the entry at the same index of run k (an
//   earlier run, which wrote it in full), or
//     [id, kind K, sent - sent of the previous entry written in full in this run (0 before the
//      first), resolved - sent | null,
//      broker, queue, at - sent,                                 (per stored copy, kind's count)
//      broker, queue, start - sent, end - start | null, kind A]  (per attempt, the rest)
//   Message times ("m") are integer microseconds; the others are ms rounded to the microsecond.
//   `id` is the sequence number minus that of the previous entry of the same producer written in
//   full in this run (0 before the first) when the id is "<producer>/<seq>", else the id string.
//   flags: 1 lost, 2 duplicated, 4 silent loss, 8 false failure, 16 diverges between profiles,
//   32 more than one callback.
// Every scenario and model string is escaped (HtmlEscape in markup, JsonQuote in the blob, which
// also escapes <, > and &), so no input can inject markup or script. Output is deterministic.
#ifndef RMQSIM_REPORTS_HTML_TIMELINE_H_
#define RMQSIM_REPORTS_HTML_TIMELINE_H_

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "sim/outcome.h"
#include "sim/scenario.h"

namespace rmqsim::reports {

struct HtmlOptions {
  // The command line that reproduces this report, shown verbatim (as text). Default: none shown.
  std::string reproduce_command;
  // Program and build that made the page, shown in the footer. Default "rmqsim".
  std::string generator = "rmqsim";
  // Entries listed in the first-divergence section (the rest are counted). Default 1000.
  size_t max_divergences = 1000;
  // Name-server events embedded per run for the name-server lanes. Default 2000.
  size_t max_nameserver_events = 2000;
};

void WriteHtmlTimeline(std::ostream& out, const sim::Scenario& s,
                       const std::vector<sim::RunResult>& runs, const HtmlOptions& opts);

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_HTML_TIMELINE_H_
