#include "sim/scenario_tree.h"

#include <algorithm>
#include <set>
#include <utility>

namespace rmqsim::sim::loader {
namespace {

uint64_t SatAdd(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

}  // namespace

std::string HexByte(unsigned char c) {
  const char* digits = "0123456789ABCDEF";
  return Cat("0x", digits[c >> 4], digits[c & 15]);
}

namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

const char* KindName(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kNull:
      return "null";
    case Node::Kind::kScalar:
      return "a scalar";
    case Node::Kind::kSeq:
      return "a list";
    case Node::Kind::kMap:
      return "a map";
  }
  return "?";
}

}  // namespace

size_t AppendEscapingControl(std::string& out, std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x20 || c == 0x7F) {
    out += Cat("\\x", HexByte(c).substr(2));
    return 1;
  }
  if (c == 0xC2 && i + 1 < s.size()) {
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c1 >= 0x80 && c1 <= 0x9F) {
      out += Cat("\\u00", HexByte(c1).substr(2));
      return 2;
    }
  }
  out += static_cast<char>(c);
  return 1;
}

size_t Utf8Length(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  auto c1 = static_cast<unsigned char>(s[i + 1]);
  unsigned char lo = 0x80, hi = 0xBF;
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  if (c1 < lo || c1 > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (!IsContinuation(static_cast<unsigned char>(s[i + k]))) return 0;
  }
  return n;
}

SourceText::SourceText(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
}

Pos SourceText::At(size_t offset) const {
  offset = std::min(offset, text_.size());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  size_t line = static_cast<size_t>(it - line_starts_.begin());  // 1-based
  size_t start = line_starts_[line - 1];
  int column = 1;
  if (cached_.line == static_cast<int>(line) && cached_offset_ <= offset) {
    start = cached_offset_;
    column = cached_.column;
  }
  for (size_t i = start; i < offset; ++i) {
    if (!IsContinuation(static_cast<unsigned char>(text_[i]))) ++column;
  }
  cached_offset_ = offset;
  cached_ = Pos{static_cast<int>(line), column};
  return cached_;
}

void Diagnostics::Error(Pos pos, std::string message) {
  if (items_.size() >= kMaxKept) {
    ++dropped_;
    return;
  }
  items_.push_back(Item{pos, std::move(message)});
}

std::string Diagnostics::Format(std::string_view path, size_t max_lines) const {
  std::vector<Item> sorted = items_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Item& a, const Item& b) {
    return std::pair(a.pos.line, a.pos.column) < std::pair(b.pos.line, b.pos.column);
  });
  std::vector<std::string> lines;
  std::set<std::string> seen;
  for (const Item& item : sorted) {
    std::string line = item.pos.line == 0 ? Cat(path, ": ", item.message)
                                          : Cat(path, ":", item.pos.line, ":", item.pos.column,
                                                ": ", item.message);
    if (seen.insert(line).second) lines.push_back(std::move(line));
  }
  std::string out;
  for (size_t i = 0; i < lines.size() && i < max_lines; ++i) {
    out += Cat(i == 0 ? "" : "\n", lines[i]);
  }
  if (lines.size() > max_lines || dropped_ > 0) {
    size_t more = lines.size() - std::min(lines.size(), max_lines) + dropped_;
    out += Cat("\n", path, ": ... and ", more, " more problems");
  }
  return out;
}

const Entry* Node::Find(std::string_view key) const {
  for (const Entry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

// Readers recurse once per level: a hard bound whatever the limits say.
constexpr int kMaxDepth = 1000;

TreeBuilder::TreeBuilder(const LoadLimits& limits, Diagnostics& diags, bool yaml_merge_keys)
    : limits_(limits), diags_(diags), yaml_merge_keys_(yaml_merge_keys) {}

bool TreeBuilder::CountNodes(Pos pos, uint64_t size) {
  nodes_ = SatAdd(nodes_, size);
  if (nodes_ <= limits_.max_nodes) return true;
  diags_.Error(pos, Cat("the document has more than ", limits_.max_nodes,
                        " nodes once aliases are expanded; the limit is ", limits_.max_nodes));
  stopped_ = true;
  return false;
}

bool TreeBuilder::StartCollection(Node::Kind kind, Pos pos) {
  if (stopped_) return false;
  const int max_depth = std::clamp(limits_.max_depth, 1, kMaxDepth);
  if (stack_.size() >= static_cast<size_t>(max_depth)) {
    diags_.Error(pos,
                 Cat("nesting is deeper than ", max_depth, " levels; the limit is ", max_depth));
    stopped_ = true;
    return false;
  }
  if (!CountNodes(pos, 1)) return false;
  auto node = std::make_shared<Node>();
  node->kind = kind;
  node->pos = pos;
  stack_.push_back(Frame{});
  stack_.back().node = std::move(node);
  return true;
}

bool TreeBuilder::EndCollection() {
  if (stopped_ || stack_.empty()) return false;
  Frame frame = std::move(stack_.back());
  stack_.pop_back();
  if (frame.node->is_map()) ApplyMerges(frame);
  if (stopped_) return false;
  return Attach(frame.node, frame.node->size);
}

bool TreeBuilder::AddScalar(Pos pos, std::string text, bool quoted) {
  if (stopped_ || !CountNodes(pos, 1)) return false;
  auto node = std::make_shared<Node>();
  node->kind = Node::Kind::kScalar;
  node->pos = pos;
  node->text = std::move(text);
  node->quoted = quoted;
  return Attach(node, 1);
}

bool TreeBuilder::AddNull(Pos pos) {
  if (stopped_ || !CountNodes(pos, 1)) return false;
  auto node = std::make_shared<Node>();
  node->pos = pos;
  return Attach(node, 1);
}

bool TreeBuilder::AddShared(Pos pos, NodePtr node) {
  if (stopped_ || !CountNodes(pos, node->size)) return false;
  if (node->is_scalar() || node->is_null()) {
    // A copy is cheap and lets problems with the value point at the alias.
    node = std::make_shared<Node>(*node);
    node->pos = pos;
  }
  return Attach(node, node->size);
}

bool TreeBuilder::Attach(const NodePtr& node, uint64_t size) {
  last_ = node;
  if (stack_.empty()) {
    if (!root_) root_ = node;
    return true;
  }
  Frame& f = stack_.back();
  f.node->size = SatAdd(f.node->size, size);
  if (f.node->is_seq()) {
    f.node->items.push_back(node);
  } else {
    AttachToMap(f, node);
  }
  return true;
}

void TreeBuilder::TakeKey(Frame& f, const NodePtr& node) {
  f.has_key = true;
  f.key_pos = node->pos;
  f.key_ok = node->is_scalar();
  if (f.key_ok) {
    f.key = node->text;
    f.key_quoted = node->quoted;
  } else {
    diags_.Error(node->pos, Cat("a map key must be a string, got ", KindName(*node)));
  }
}

void TreeBuilder::AttachToMap(Frame& f, const NodePtr& node) {
  if (!f.has_key) return TakeKey(f, node);
  f.has_key = false;
  if (!f.key_ok) return;
  if (yaml_merge_keys_ && !f.key_quoted && f.key == "<<") {
    f.merges.push_back(node);
    return;
  }
  auto [it, inserted] = f.seen.emplace(f.key, f.key_pos);
  if (!inserted) {
    diags_.Error(f.key_pos,
                 Cat("duplicate key ", Quote(f.key), " (first at line ", it->second.line, ")"));
    return;
  }
  f.node->entries.push_back(Entry{f.key, f.key_pos, node});
}

void TreeBuilder::ApplyMerges(Frame& f) {
  for (const NodePtr& m : f.merges) {
    if (m->is_map()) {
      MergeFrom(f, *m);
      continue;
    }
    bool ok = m->is_seq();
    for (const NodePtr& item : m->items) {
      if (item->is_map()) {
        MergeFrom(f, *item);
      } else {
        ok = false;
      }
    }
    if (!ok) diags_.Error(m->pos, "the merge key '<<' needs a map or a list of maps");
  }
}

void TreeBuilder::MergeFrom(Frame& f, const Node& source) {
  for (const Entry& e : source.entries) {
    if (stopped_ || !f.seen.emplace(e.key, e.key_pos).second) continue;
    uint64_t size = SatAdd(e.value->size, 1);
    if (!CountNodes(e.key_pos, size)) return;
    f.node->size = SatAdd(f.node->size, size);
    f.node->entries.push_back(e);
  }
}

bool CheckEncoding(const SourceText& source, Diagnostics& diags) {
  constexpr int kMaxReports = 20;
  std::string_view s = source.text();
  int reports = 0;
  for (size_t i = 0; i < s.size() && reports < kMaxReports;) {
    if (s[i] == '\0') {
      diags.Error(source.At(i), "NUL byte in the file");
      ++reports;
      ++i;
      continue;
    }
    size_t n = Utf8Length(s, i);
    if (n == 0) {
      diags.Error(source.At(i),
                  Cat("invalid UTF-8 byte ", HexByte(static_cast<unsigned char>(s[i]))));
      ++reports;
      // One report per line: after a bad byte, columns of the rest of the line are unreliable.
      size_t eol = s.find('\n', i);
      n = eol == std::string_view::npos ? s.size() - i : eol - i;
    }
    i += n;
  }
  return reports == 0;
}

std::string Quote(std::string_view text) {
  constexpr size_t kMaxBytes = 60;
  std::string out = "'";
  size_t i = 0;
  for (; i < text.size() && i < kMaxBytes; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        i += AppendEscapingControl(out, text, i) - 1;
    }
  }
  if (i < text.size()) {
    while (!out.empty() && IsContinuation(static_cast<unsigned char>(out.back()))) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    out += "...";
  }
  return out + "'";
}

}  // namespace rmqsim::sim::loader
