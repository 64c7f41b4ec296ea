// The consumer part of the HTML report (rmqsim run --html, scenarios with a `consumers` section):
// one lane group per profile with a lane per consumer instance and, per broker, lanes for the
// %RETRY%, SCHEDULE_TOPIC_XXXX and %DLQ% copies; each message's deliveries (coloured by listener
// result) and the copies of its retry journey. Picking a message (click a mark, or type its id)
// draws its journey through every hop in each profile and lists the hops in a table: delivery,
// send-back or fallback into SCHEDULE_TOPIC_XXXX at a level, re-put into %RETRY%, ..., %DLQ%.
//
// Written only when some run had consumers, after the producer timeline, with its own data blob
// (<script type="application/json" id="cdata">) and script, so pages of producer-only scenarios
// are unchanged.
//
//   if (HasConsumers(runs)) out += ConsumerSectionHtml(scenario, runs);
#ifndef RMQSIM_REPORTS_HTML_CONSUMERS_H_
#define RMQSIM_REPORTS_HTML_CONSUMERS_H_

#include <string>
#include <vector>

#include "sim/outcome.h"
#include "sim/scenario.h"

namespace rmqsim::reports {

bool HasConsumers(const std::vector<sim::RunResult>& runs);

// Stylesheet rules of the section (for the page's <style>).
const char* ConsumerSectionCss();
// The <section>, its data blob and its script.
std::string ConsumerSectionHtml(const sim::Scenario& s, const std::vector<sim::RunResult>& runs);

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_HTML_CONSUMERS_H_
