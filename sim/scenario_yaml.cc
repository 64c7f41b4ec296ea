// YAML into the generic tree, through yaml-cpp's event API rather than YAML::Node: events give
// each node's position, say whether a scalar was quoted, keep duplicate keys visible, and let
// aliases be shared instead of copied (so an alias bomb is counted, not expanded).
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario_tree.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/exceptions.h"
#include "yaml-cpp/mark.h"
#include "yaml-cpp/parser.h"

namespace rmqsim::sim::loader {
namespace {

constexpr char kStrTag[] = "tag:yaml.org,2002:str";

// Thrown through yaml-cpp to stop parsing once a problem makes going on pointless.
struct StopParse {};

// yaml-cpp 0.7 decodes the double-quoted escapes \N and \_ to the single Latin-1 bytes 0x85 and
// 0xA0 rather than to the UTF-8 of U+0085 and U+00A0, leaving invalid UTF-8 in a key or value
// read from a valid file (found by fuzzing: an unknown key echoed in a message). The input is
// valid UTF-8 (CheckEncoding), so a byte that starts no valid sequence can only come from those
// escapes: it is re-encoded as the code point it stands for.
std::string Utf8FromYamlCpp(const std::string& value) {
  size_t i = 0;
  while (i < value.size() && Utf8Length(value, i) != 0) i += Utf8Length(value, i);
  if (i == value.size()) return value;
  std::string out = value.substr(0, i);
  while (i < value.size()) {
    size_t n = Utf8Length(value, i);
    if (n == 0) {
      auto c = static_cast<unsigned char>(value[i]);
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
      n = 1;
    } else {
      out.append(value, i, n);
    }
    i += n;
  }
  return out;
}

class Handler : public YAML::EventHandler {
 public:
  Handler(const SourceText& source, TreeBuilder& builder, Diagnostics& diags)
      : source_(source), builder_(builder), diags_(diags) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Check(builder_.AddNull(At(mark)));
    Register(anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      diags_.Error(At(mark), "an alias cannot refer to a node that contains it");
      throw StopParse{};
    }
    Check(builder_.AddShared(At(mark), it->second));
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    bool quoted = tag == "!" || tag == kStrTag;
    bool plain = tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
                 tag == "tag:yaml.org,2002:bool";
    if (!quoted && !plain) UnsupportedTag(mark, tag);
    Check(builder_.AddScalar(At(mark), Utf8FromYamlCpp(value), quoted));
    Register(anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Start(Node::Kind::kSeq, mark, tag, anchor, "tag:yaml.org,2002:seq");
  }
  void OnSequenceEnd() override { End(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Start(Node::Kind::kMap, mark, tag, anchor, "tag:yaml.org,2002:map");
  }
  void OnMapEnd() override { End(); }

 private:
  Pos At(const YAML::Mark& mark) const {
    return mark.pos >= 0 ? source_.At(static_cast<size_t>(mark.pos)) : source_.End();
  }
  static void Check(bool ok) {
    if (!ok) throw StopParse{};
  }
  void UnsupportedTag(const YAML::Mark& mark, const std::string& tag) {
    diags_.Error(At(mark), Cat("unsupported YAML tag ", Quote(tag)));
  }
  void Start(Node::Kind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
             const char* standard_tag) {
    if (tag != "?" && tag != standard_tag) UnsupportedTag(mark, tag);
    Check(builder_.StartCollection(kind, At(mark)));
    open_anchors_.push_back(anchor);
  }
  void End() {
    Check(builder_.EndCollection());
    YAML::anchor_t anchor = open_anchors_.back();
    open_anchors_.pop_back();
    Register(anchor);
  }
  void Register(YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = builder_.last();
  }

  const SourceText& source_;
  TreeBuilder& builder_;
  Diagnostics& diags_;
  std::map<YAML::anchor_t, NodePtr> anchors_;
  std::vector<YAML::anchor_t> open_anchors_;
};

Pos MarkPos(const SourceText& source, const YAML::Mark& mark) {
  if (mark.pos >= 0) return source.At(static_cast<size_t>(mark.pos));
  if (mark.line >= 0) return Pos{mark.line + 1, mark.column + 1};
  return source.End();
}

// Only notices whether a further document exists.
class SecondDocument : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& m) override { start = m; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    throw StopParse{};
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    throw StopParse{};
  }
  void OnMapEnd() override {}
  YAML::Mark start;
};

// Parses the first document; records a problem if there is none or more than one.
NodePtr ParseDocuments(const SourceText& source, YAML::Parser& parser, TreeBuilder& builder,
                       Diagnostics& diags) {
  Handler handler(source, builder, diags);
  if (!parser.HandleNextDocument(handler) || !builder.root()) {
    diags.Error(Pos{1, 1}, "the file is empty; expected a scenario map");
    return nullptr;
  }
  SecondDocument ignore;
  bool more = false;
  try {
    more = parser.HandleNextDocument(ignore);
  } catch (const StopParse&) {
    more = true;
  }
  if (more) {
    diags.Error(MarkPos(source, ignore.start),
                "a scenario file holds one YAML document; found a second one");
  }
  return builder.root();
}

// yaml-cpp's message with what it copied from the input (the character after a backslash in
// "unknown escape character: X", possibly a control character or one byte of a multi-byte
// character) made printable: such bytes become \xHH, so a message stays one line of valid UTF-8
// (found by fuzzing).
std::string Printable(std::string_view msg) {
  std::string out;
  for (size_t i = 0; i < msg.size();) {
    auto c = static_cast<unsigned char>(msg[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = len != 0 && i + len <= msg.size();
    for (size_t k = 1; valid && k < len; ++k) {
      valid = (static_cast<unsigned char>(msg[i + k]) & 0xC0) == 0x80;
    }
    if (!valid || c < 0x20 || c == 0x7F) {
      out += Cat("\\x", HexByte(c).substr(2));
      ++i;
      continue;
    }
    out.append(msg.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace

NodePtr ReadYaml(const SourceText& source, const LoadLimits& limits, Diagnostics& diags) {
  std::istringstream in{std::string(source.text())};
  TreeBuilder builder(limits, diags, /*yaml_merge_keys=*/true);
  try {
    YAML::Parser parser(in);
    return ParseDocuments(source, parser, builder, diags);
  } catch (const StopParse&) {
    return nullptr;
  } catch (const YAML::Exception& e) {
    diags.Error(MarkPos(source, e.mark), Cat("YAML syntax error: ", Printable(e.msg)));
    return nullptr;
  } catch (const std::exception& e) {
    diags.Error(Pos{1, 1}, Cat("cannot parse YAML: ", Printable(e.what())));
    return nullptr;
  }
}

}  // namespace rmqsim::sim::loader
