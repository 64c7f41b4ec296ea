// Escaping for the text formats rmqsim writes. Every string that comes from a scenario (titles,
// names, descriptions) passes through one of these before it reaches a report.
#ifndef RMQSIM_REPORTS_ESCAPE_H_
#define RMQSIM_REPORTS_ESCAPE_H_

#include <string>
#include <string_view>

namespace rmqsim::reports {

// A JSON string literal, quotes included. Control characters become \uXXXX; invalid UTF-8 bytes
// become U+FFFD, so the output is always valid JSON and valid UTF-8.
std::string JsonQuote(std::string_view s);
// Text safe inside HTML element content and double-quoted attribute values.
std::string HtmlEscape(std::string_view s);
// Text safe inside XML (JUnit reports): like HtmlEscape, and control characters XML 1.0 forbids
// are dropped.
std::string XmlEscape(std::string_view s);

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_ESCAPE_H_
