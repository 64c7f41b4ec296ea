#include "reports/junit.h"

#include "absl/strings/str_cat.h"
#include "reports/escape.h"

namespace rmqsim::reports {

void WriteJunit(std::ostream& out, const std::vector<JunitSuite>& suites) {
  int tests = 0, failures = 0, errors = 0;
  for (const auto& s : suites) {
    if (!s.error.empty()) ++errors;
    for (const auto& c : s.cases) {
      ++tests;
      for (const auto& a : c.assertions) {
        if (!a.passed) {
          ++failures;
          break;
        }
      }
    }
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"rmqsim check\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"" << errors << "\">\n";
  for (const auto& s : suites) {
    int sf = 0;
    for (const auto& c : s.cases) {
      for (const auto& a : c.assertions) {
        if (!a.passed) {
          ++sf;
          break;
        }
      }
    }
    out << "  <testsuite name=\"" << XmlEscape(s.name) << "\" tests=\"" << s.cases.size()
        << "\" failures=\"" << sf << "\" errors=\"" << (s.error.empty() ? 0 : 1) << "\">\n";
    if (!s.error.empty()) {
      out << "    <testcase classname=\"" << XmlEscape(s.id.empty() ? s.name : s.id)
          << "\" name=\"load\">\n      <error message=\"invalid scenario\">"
          << XmlEscape(s.error) << "</error>\n    </testcase>\n";
    }
    for (const auto& c : s.cases) {
      out << "    <testcase classname=\"" << XmlEscape(s.id) << "\" name=\"" << XmlEscape(c.profile)
          << "\" time=\"0\">";
      std::string failed;
      for (const auto& a : c.assertions) {
        if (!a.passed) absl::StrAppend(&failed, a.Describe(), "\n");
      }
      if (!failed.empty()) {
        out << "\n      <failure message=\"" << XmlEscape(failed.substr(0, failed.find('\n')))
            << "\">" << XmlEscape(failed) << "</failure>\n    ";
      }
      out << "</testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace rmqsim::reports
