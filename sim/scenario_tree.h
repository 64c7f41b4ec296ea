// Internals of the scenario loader: the generic document tree that YAML and JSON are both read
// into, the positions and diagnostics every later check reports through, and the two readers.
//
// A Node is a map (keys in file order, each with its position), a list, a scalar (its text and
// whether it was written as a quoted string) or null. Positions are 1-based lines and columns
// counted in characters. Not part of the public API: include sim/scenario_loader.h instead.
#ifndef RMQSIM_SIM_SCENARIO_TREE_H_
#define RMQSIM_SIM_SCENARIO_TREE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "sim/scenario_loader.h"

namespace rmqsim::sim::loader {

// String building that accepts std::string_view (absl::StrCat in the Debian Abseil build takes
// only absl::string_view, which is a distinct type there).
namespace str_internal {
inline void Append(std::string& out, std::string_view s) { out.append(s); }
inline void Append(std::string& out, const char* s) { out.append(s); }
inline void Append(std::string& out, const std::string& s) { out.append(s); }
inline void Append(std::string& out, absl::string_view s) { out.append(s.data(), s.size()); }
inline void Append(std::string& out, char c) { out.push_back(c); }
template <typename T>
requires(std::is_integral_v<T> && !std::is_same_v<T, char> &&
         !std::is_same_v<T, bool>) void Append(std::string& out, T v) {
  out += std::to_string(v);
}
}  // namespace str_internal

// A status message as a std::string.
inline std::string Message(const absl::Status& s) {
  return std::string(s.message().data(), s.message().size());
}

template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (str_internal::Append(out, args), ...);
  return out;
}

template <typename Container>
std::string JoinStrings(const Container& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out.append(separator);
    str_internal::Append(out, p);
  }
  return out;
}

struct Pos {
  int line = 0;    // 1-based; 0: no position (a problem with the whole file)
  int column = 0;  // 1-based, in characters
};

// Maps byte offsets of a (valid UTF-8) text to line and column. Readers ask for increasing
// offsets, so the column count continues from the previous answer on the same line (a minified
// JSON file is one long line). Not thread-safe.
class SourceText {
 public:
  explicit SourceText(std::string_view text);
  Pos At(size_t offset) const;
  Pos End() const { return At(text_.size()); }
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
  std::vector<size_t> line_starts_;
  mutable size_t cached_offset_ = 0;
  mutable Pos cached_ = Pos{1, 1};
};

// Problems found in one file, reported together.
class Diagnostics {
 public:
  void Error(Pos pos, std::string message);
  bool empty() const { return size() == 0; }
  size_t size() const { return items_.size() + dropped_; }
  // One "PATH:LINE:COL: message" line per distinct problem, sorted by position.
  std::string Format(std::string_view path, size_t max_lines) const;

 private:
  struct Item {
    Pos pos;
    std::string message;
  };
  // Kept for sorting; beyond this many, problems are only counted.
  static constexpr size_t kMaxKept = 10'000;
  std::vector<Item> items_;
  size_t dropped_ = 0;
};

struct Node;
using NodePtr = std::shared_ptr<Node>;

struct Entry {
  std::string key;
  Pos key_pos;
  NodePtr value;
};

struct Node {
  enum class Kind { kNull, kScalar, kSeq, kMap };
  Kind kind = Kind::kNull;
  Pos pos;
  std::string text;            // kScalar
  bool quoted = false;         // kScalar written as a string ("x", 'x', block scalar, JSON string)
  std::vector<NodePtr> items;  // kSeq
  std::vector<Entry> entries;  // kMap, in file order, keys distinct
  uint64_t size = 1;           // nodes in this subtree, aliases expanded

  bool is_map() const { return kind == Kind::kMap; }
  bool is_seq() const { return kind == Kind::kSeq; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_null() const { return kind == Kind::kNull; }
  const Entry* Find(std::string_view key) const;
};

// Assembles a tree from parse events and enforces the depth and node-count limits. Every method
// returns false once a limit has stopped the parse (the problem is already recorded).
class TreeBuilder {
 public:
  TreeBuilder(const LoadLimits& limits, Diagnostics& diags, bool yaml_merge_keys);
  bool StartCollection(Node::Kind kind, Pos pos);
  bool EndCollection();
  bool AddScalar(Pos pos, std::string text, bool quoted);
  bool AddNull(Pos pos);
  // Attaches an already built node again (a YAML alias).
  bool AddShared(Pos pos, NodePtr node);
  // The node most recently completed (for YAML anchors).
  NodePtr last() const { return last_; }
  NodePtr root() const { return root_; }

 private:
  struct Frame {
    NodePtr node;
    bool has_key = false;
    bool key_ok = false;
    bool key_quoted = false;
    std::string key;
    Pos key_pos;
    std::unordered_map<std::string, Pos> seen;
    std::vector<NodePtr> merges;
  };
  bool Attach(const NodePtr& node, uint64_t size);
  void AttachToMap(Frame& f, const NodePtr& node);
  void TakeKey(Frame& f, const NodePtr& node);
  void ApplyMerges(Frame& f);
  void MergeFrom(Frame& f, const Node& source);
  bool CountNodes(Pos pos, uint64_t size);

  const LoadLimits& limits_;
  Diagnostics& diags_;
  bool yaml_merge_keys_;
  std::vector<Frame> stack_;
  NodePtr root_;
  NodePtr last_;
  uint64_t nodes_ = 0;
  bool stopped_ = false;
};

// Records a problem for each NUL byte and invalid UTF-8 sequence; false if any.
bool CheckEncoding(const SourceText& source, Diagnostics& diags);

// Readers: the document's root, or null after recording why there is none.
NodePtr ReadYaml(const SourceText& source, const LoadLimits& limits, Diagnostics& diags);
NodePtr ReadJson(const SourceText& source, const LoadLimits& limits, Diagnostics& diags);

// 'text' quoted for a message: control characters (C0, DEL and C1) escaped, long texts shortened.
std::string Quote(std::string_view text);
// Appends s[i] to `out` for a message, a control character named instead of copied: C0 and DEL
// as \xHH, C1 (U+0080-U+009F; NEL, U+0085, breaks lines in some terminals) as \u00HH. Returns the
// bytes consumed (2 for a C1 character, else 1). REQUIRES: i < s.size().
size_t AppendEscapingControl(std::string& out, std::string_view s, size_t i);
// Length of the valid UTF-8 sequence at s[i] (no overlongs, no surrogates), or 0 if it is not
// valid. REQUIRES: i < s.size().
size_t Utf8Length(std::string_view s, size_t i);
// "0x3F"
std::string HexByte(unsigned char c);

}  // namespace rmqsim::sim::loader

#endif  // RMQSIM_SIM_SCENARIO_TREE_H_
