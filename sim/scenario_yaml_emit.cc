// The generic tree as YAML (ScenarioDocument::ToYaml): block style for sections, flow style for
// small maps and lists of scalars, strings that were quoted stay quoted (the validator tells
// `"5"` from `5`), multi-line text as a literal block. The output must load back to the same
// tree; tests round-trip every shipped scenario.
#include <string>
#include <string_view>

#include "sim/scenario_document.h"

namespace rmqsim::sim::loader {
namespace {

constexpr size_t kWidth = 100;

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

// YAML line breaks beyond \n and \r: NEL (C2 85), LS (E2 80 A8), PS (E2 80 A9).
size_t UnicodeBreakAt(std::string_view s, size_t i) {
  if (s.compare(i, 2, "\xC2\x85") == 0) return 2;
  if (s.compare(i, 3, "\xE2\x80\xA8") == 0 || s.compare(i, 3, "\xE2\x80\xA9") == 0) return 3;
  return 0;
}

bool HasUnicodeBreak(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (UnicodeBreakAt(s, i)) return true;
  }
  return false;
}

// Text a plain (unquoted) scalar can hold and read back unchanged.
bool PlainSafe(std::string_view s, bool flow) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ' || s.back() == ':') return false;
  if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s == "<<") return false;
  if (std::string_view("!&*|>'\"%@`#,[]{}").find(s.front()) != std::string_view::npos) {
    return false;
  }
  if ((s.front() == '-' || s.front() == '?' || s.front() == ':') &&
      (s.size() == 1 || s[1] == ' ')) {
    return false;
  }
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) {
    return false;
  }
  if (flow && s.find_first_of(",[]{}") != std::string_view::npos) return false;
  for (unsigned char c : s) {
    if (IsControl(c)) return false;
  }
  return !HasUnicodeBreak(s);
}

std::string DoubleQuoted(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (size_t n = UnicodeBreakAt(s, i)) {
      out += n == 2 ? "\\N" : (s[i + 2] == '\xA8' ? "\\L" : "\\P");
      i += n - 1;
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (IsControl(c)) {
      out += Cat("\\x", HexByte(c).substr(2));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string Scalar(const Node& n, bool flow) {
  if (n.is_null()) return "null";
  if (!n.quoted && PlainSafe(n.text, flow)) return n.text;
  return DoubleQuoted(n.text);
}

std::string Key(std::string_view key) { return PlainSafe(key, true) ? std::string(key) : DoubleQuoted(key); }

// Multi-line text a literal block (`|`) holds exactly.
bool LiteralSafe(std::string_view s) {
  if (s.find('\n') == std::string_view::npos || s.front() == ' ' || s.front() == '\n') return false;
  if (HasUnicodeBreak(s)) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c != '\n' && IsControl(c)) return false;
    if (c == '\n' && i > 0 && s[i - 1] == ' ') return false;
  }
  return s.back() != ' ';
}

void EmitLiteral(std::string& out, std::string_view s, size_t indent) {
  size_t trailing = 0;
  while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
  out += trailing == 0 ? " |-\n" : trailing == 1 ? " |\n" : " |+\n";
  std::string_view body = s.substr(0, s.size() - trailing);
  size_t start = 0;
  while (true) {
    size_t eol = body.find('\n', start);
    std::string_view line = body.substr(start, eol == std::string_view::npos ? eol : eol - start);
    if (!line.empty()) out += std::string(indent, ' ');
    out.append(line);
    out += '\n';
    if (eol == std::string_view::npos) break;
    start = eol + 1;
  }
  for (size_t k = 1; k < trailing; ++k) out += '\n';
}

int Depth(const Node& n) {
  int d = 0;
  for (const NodePtr& item : n.items) d = std::max(d, Depth(*item));
  for (const Entry& e : n.entries) d = std::max(d, Depth(*e.value));
  return n.is_map() || n.is_seq() ? d + 1 : 0;
}

// Flow style for lists and maps of scalars, and maps whose collections are lists of scalars
// (`{name: TopicTest, brokers: [broker-a, broker-b]}`), when the line stays short.
bool UseFlow(const Node& n, size_t used) {
  if (n.items.empty() && n.entries.empty()) return true;
  int depth = Depth(n);
  if (depth > 2 || (depth == 2 && !n.is_map())) return false;
  for (const Entry& e : n.entries) {
    if (e.value->is_map() && !e.value->entries.empty()) return false;
  }
  return used + EmitFlow(n).size() <= kWidth;
}

void EmitEntries(std::string& out, const Node& map, size_t indent, bool first_inline);
void EmitItems(std::string& out, const Node& seq, size_t indent);

// After "key:" or "-": the value and its line end.
void EmitValue(std::string& out, const Node& n, size_t indent, size_t used) {
  if (n.is_scalar() && n.quoted && LiteralSafe(n.text)) return EmitLiteral(out, n.text, indent + 2);
  if (n.is_scalar() || n.is_null()) {
    out += Cat(" ", Scalar(n, false), "\n");
  } else if (UseFlow(n, used + 1)) {
    out += Cat(" ", EmitFlow(n), "\n");
  } else if (n.is_map()) {
    out += "\n";
    EmitEntries(out, n, indent + 2, false);
  } else {
    out += "\n";
    EmitItems(out, n, indent + 2);
  }
}

void EmitEntries(std::string& out, const Node& map, size_t indent, bool first_inline) {
  for (size_t k = 0; k < map.entries.size(); ++k) {
    const Entry& e = map.entries[k];
    if (k > 0 || !first_inline) out += std::string(indent, ' ');
    std::string key = Key(e.key) + ":";
    out += key;
    EmitValue(out, *e.value, indent, indent + key.size());
  }
}

void EmitItems(std::string& out, const Node& seq, size_t indent) {
  for (const NodePtr& item : seq.items) {
    out += std::string(indent, ' ') + "-";
    const Node& n = *item;
    if (n.is_map() && !UseFlow(n, indent + 2)) {
      out += " ";
      EmitEntries(out, n, indent + 2, true);
    } else {
      EmitValue(out, n, indent, indent + 1);
    }
  }
}

}  // namespace

std::string EmitFlow(const Node& n) {
  if (n.is_scalar() || n.is_null()) return Scalar(n, true);
  std::string out = n.is_map() ? "{" : "[";
  for (size_t i = 0; i < n.items.size(); ++i) out += Cat(i ? ", " : "", EmitFlow(*n.items[i]));
  for (size_t i = 0; i < n.entries.size(); ++i) {
    out += Cat(i ? ", " : "", Key(n.entries[i].key), ": ", EmitFlow(*n.entries[i].value));
  }
  return out + (n.is_map() ? "}" : "]");
}

std::string EmitYaml(const Node& root) {
  std::string out;
  if (root.is_map() && !root.entries.empty()) {
    EmitEntries(out, root, 0, false);
  } else {
    out = EmitFlow(root) + "\n";
  }
  return out;
}

}  // namespace rmqsim::sim::loader
