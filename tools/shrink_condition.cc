// Parsing `rmqsim shrink --until` conditions, and turning them into `expect` assertions.
#include "tools/shrink_condition.h"

#include <optional>
#include <string_view>
#include <utility>

#include "absl/strings/str_join.h"
#include "sim/profile.h"
#include "sim/scenario_values.h"

namespace rmqsim::tools {

bool Compare(double a, sim::CompareOp op, double b) {
  switch (op) {
    case sim::CompareOp::kEq: return a == b;
    case sim::CompareOp::kNe: return a != b;
    case sim::CompareOp::kLt: return a < b;
    case sim::CompareOp::kLe: return a <= b;
    case sim::CompareOp::kGt: return a > b;
    case sim::CompareOp::kGe: return a >= b;
  }
  return false;
}

namespace {

std::string Msg(const absl::Status& s) { return std::string(s.message().data(), s.message().size()); }

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
}

// "4.9.0.lost" (the longest profile name that prefixes the text wins), or a number when
// `number_ok`; InvalidArgument saying why otherwise.
absl::StatusOr<Operand> ParseOperand(const std::string& text, bool number_ok) {
  Operand o;
  if (number_ok) {
    if (std::optional<double> v = sim::loader::ParseNumberText(text)) {
      o.value = *v;
      return o;
    }
  }
  for (const sim::Profile* p : sim::AllProfiles()) {
    std::string name(p->name);
    if (text.size() > name.size() + 1 && text.rfind(name + ".", 0) == 0 &&
        name.size() > o.profile.size()) {
      o.profile = name;
      o.metric = text.substr(name.size() + 1);
    }
  }
  if (o.profile.empty()) {
    std::vector<std::string> names;
    for (const sim::Profile* p : sim::AllProfiles()) names.emplace_back(p->name);
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not ", number_ok ? "a number or " : "",
                     "a profile (", absl::StrJoin(names, ", "), ") and a metric"));
  }
  if (!sim::IsKnownMetric(o.metric) || !sim::MetricValue(sim::Summary{}, o.metric)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown metric '", o.metric, "'"));
  }
  return o;
}

absl::StatusOr<Clause> ParseClause(std::string_view text, const std::string& whole) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--until '", whole, "': ", std::string(why),
        "; expected PROFILE.METRIC OP VALUE, e.g. '4.9.0.lost > 0' or '4.9.0.lost > 4.9.3.lost' "
        "(OP one of == != < <= > >=; join clauses with &&)"));
  };
  static const std::pair<std::string_view, sim::CompareOp> kOps[] = {
      {">=", sim::CompareOp::kGe}, {"<=", sim::CompareOp::kLe}, {"==", sim::CompareOp::kEq},
      {"!=", sim::CompareOp::kNe}, {">", sim::CompareOp::kGt},  {"<", sim::CompareOp::kLt}};
  size_t at = std::string_view::npos, len = 0;
  Clause c;
  for (size_t i = 0; i < text.size() && at == std::string_view::npos; ++i) {
    for (const auto& [op, kind] : kOps) {
      if (text.substr(i, op.size()) == op) {
        at = i, len = op.size(), c.op = kind;
        break;
      }
    }
  }
  if (at == std::string_view::npos) return bad(absl::StrCat("no comparison in '", Trim(text), "'"));
  absl::StatusOr<Operand> lhs = ParseOperand(Trim(text.substr(0, at)), /*number_ok=*/false);
  if (!lhs.ok()) return bad(Msg(lhs.status()));
  absl::StatusOr<Operand> rhs = ParseOperand(Trim(text.substr(at + len)), /*number_ok=*/true);
  if (!rhs.ok()) return bad(Msg(rhs.status()));
  c.lhs = *std::move(lhs);
  c.rhs = *std::move(rhs);
  return c;
}

}  // namespace

absl::StatusOr<std::vector<Clause>> ParseCondition(const std::string& text) {
  std::vector<Clause> out;
  size_t start = 0;
  while (true) {
    size_t amp = text.find("&&", start);
    absl::StatusOr<Clause> c = ParseClause(
        std::string_view(text).substr(start, amp == std::string::npos ? amp : amp - start), text);
    if (!c.ok()) return c.status();
    out.push_back(*std::move(c));
    if (amp == std::string::npos) return out;
    start = amp + 2;
  }
}

std::vector<Assertion> ExpectOf(const std::vector<Clause>& clauses,
                                const std::map<std::string, sim::Summary>& runs) {
  auto actual = [&](const Operand& o) {
    return sim::MetricValue(runs.at(o.profile), o.metric).value_or(0);
  };
  std::vector<Assertion> out;
  auto add = [&](const Operand& o, sim::CompareOp op, double v) {
    for (Assertion& a : out) {
      if (a.profile == o.profile && a.metric == o.metric) {
        a.op = "==";
        a.value = actual(o);
        return;
      }
    }
    out.push_back(Assertion{o.profile, o.metric, sim::CompareOpText(op), v});
  };
  for (const Clause& c : clauses) {
    if (!c.rhs.is_metric()) {
      add(c.lhs, c.op, c.rhs.value);
      continue;
    }
    double b = actual(c.rhs);
    add(c.lhs, c.op, b);
    switch (c.op) {
      case sim::CompareOp::kGt:
      case sim::CompareOp::kGe: add(c.rhs, sim::CompareOp::kLe, b); break;
      case sim::CompareOp::kLt:
      case sim::CompareOp::kLe: add(c.rhs, sim::CompareOp::kGe, b); break;
      case sim::CompareOp::kEq:
      case sim::CompareOp::kNe: add(c.rhs, sim::CompareOp::kEq, b); break;
    }
  }
  return out;
}

}  // namespace rmqsim::tools
