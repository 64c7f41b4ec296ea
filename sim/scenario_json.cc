// JSON into the generic tree: a small recursive-descent reader (RFC 8259), because nlohmann/json
// keeps no positions. Numbers keep their text, so `0.25` reaches the validator exactly as written.
#include <string>

#include "sim/scenario_tree.h"

namespace rmqsim::sim::loader {
namespace {

class JsonReader {
 public:
  JsonReader(const SourceText& source, TreeBuilder& builder, Diagnostics& diags)
      : s_(source.text()), source_(source), builder_(builder), diags_(diags) {}

  NodePtr Read() {
    SkipSpace();
    if (i_ == s_.size()) {
      diags_.Error(Pos{1, 1}, "the file is empty; expected a scenario object");
      return nullptr;
    }
    if (!Value()) return nullptr;
    SkipSpace();
    if (i_ != s_.size()) return Fail("unexpected content after the JSON value");
    return builder_.root();
  }

 private:
  std::nullptr_t Fail(std::string message) {
    if (!failed_) diags_.Error(source_.At(i_), Cat("JSON syntax error: ", message));
    failed_ = true;
    return nullptr;
  }
  bool FailB(std::string message) {
    Fail(std::move(message));
    return false;
  }

  void SkipSpace() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }

  std::string Describe() const {
    if (i_ >= s_.size()) return "end of file";
    auto c = static_cast<unsigned char>(s_[i_]);
    if (c < 0x20 || c >= 0x7F) return Cat("byte ", HexByte(c));
    return Cat("'", std::string(1, s_[i_]), "'");
  }

  bool Value() {
    SkipSpace();
    if (i_ >= s_.size()) return FailB("unexpected end of file; expected a value");
    char c = s_[i_];
    if (c == '{') return Object();
    if (c == '[') return Array();
    if (c == '"') return StringValue();
    if (c == '-' || (c >= '0' && c <= '9')) return Number();
    for (std::string_view word : {"true", "false", "null"}) {
      if (s_.substr(i_, word.size()) == word) return Literal(word);
    }
    return FailB(Cat("unexpected ", Describe(), "; expected a value"));
  }

  bool Literal(std::string_view word) {
    Pos pos = source_.At(i_);
    i_ += word.size();
    if (word == "null") return builder_.AddNull(pos);
    return builder_.AddScalar(pos, std::string(word), false);
  }

  // True (after reporting it) if a comma is followed by the closing bracket.
  bool TrailingComma(char close) {
    SkipSpace();
    if (i_ >= s_.size() || s_[i_] != close) return false;
    Fail(Cat("trailing comma before '", close, "'"));
    return true;
  }

  // Consumes the closing bracket.
  bool Close() {
    ++i_;
    return builder_.EndCollection();
  }

  bool Object() {
    if (!builder_.StartCollection(Node::Kind::kMap, source_.At(i_))) return false;
    ++i_;
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == '}') return Close();
    while (true) {
      SkipSpace();
      if (i_ >= s_.size() || s_[i_] != '"') {
        return FailB(Cat("unexpected ", Describe(), "; expected a member name string"));
      }
      if (!StringValue()) return false;
      SkipSpace();
      if (i_ >= s_.size() || s_[i_] != ':') {
        return FailB(Cat("unexpected ", Describe(), "; expected ':'"));
      }
      ++i_;
      if (!Value()) return false;
      SkipSpace();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        if (!TrailingComma('}')) continue;
        return false;
      }
      if (i_ < s_.size() && s_[i_] == '}') return Close();
      return FailB(Cat("unexpected ", Describe(), "; expected ',' or '}'"));
    }
  }

  bool Array() {
    if (!builder_.StartCollection(Node::Kind::kSeq, source_.At(i_))) return false;
    ++i_;
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == ']') return Close();
    while (true) {
      if (!Value()) return false;
      SkipSpace();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        if (!TrailingComma(']')) continue;
        return false;
      }
      if (i_ < s_.size() && s_[i_] == ']') return Close();
      return FailB(Cat("unexpected ", Describe(), "; expected ',' or ']'"));
    }
  }

  bool Number() {
    size_t start = i_;
    if (s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
    } else if (!Digits()) {
      return FailB("invalid number");
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (!Digits()) return FailB("invalid number: expected a digit after '.'");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!Digits()) return FailB("invalid number: expected a digit in the exponent");
    }
    return builder_.AddScalar(source_.At(start), std::string(s_.substr(start, i_ - start)), false);
  }

  bool Digits() {
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }

  bool StringValue() {
    Pos pos = source_.At(i_);
    std::string out;
    if (!String(out)) return false;
    return builder_.AddScalar(pos, std::move(out), true);
  }

  bool String(std::string& out) {
    ++i_;  // opening quote
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c == '\n') return FailB("unterminated string (a string cannot span lines)");
      if (static_cast<unsigned char>(c) < 0x20) {
        return FailB("control character in a string (write it as an escape)");
      }
      if (c != '\\') {
        out += c;
        ++i_;
        continue;
      }
      if (!Escape(out)) return false;
    }
    return FailB("unterminated string");
  }

  bool Escape(std::string& out) {
    ++i_;
    if (i_ >= s_.size()) return FailB("unterminated string");
    char c = s_[i_++];
    switch (c) {
      case '"':
        out += '"';
        return true;
      case '\\':
        out += '\\';
        return true;
      case '/':
        out += '/';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        return Unicode(out);
      default:
        --i_;
        // A control character or a UTF-8 lead byte is named, never copied: a message stays one
        // line of valid UTF-8 (found by fuzzing: a backslash at the end of a line).
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
          return FailB(Cat("invalid escape: '\\' followed by ", Describe()));
        }
        return FailB(Cat("invalid escape '\\", std::string(1, c), "'"));
    }
  }

  bool Hex4(uint32_t& v) {
    v = 0;
    for (int k = 0; k < 4; ++k, ++i_) {
      if (i_ >= s_.size()) return FailB("invalid \\u escape");
      char c = s_[i_];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return FailB("invalid \\u escape: expected 4 hex digits");
      v = v * 16 + static_cast<uint32_t>(d);
    }
    return true;
  }

  bool Unicode(std::string& out) {
    uint32_t cp;
    if (!Hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return FailB("invalid \\u escape: unpaired surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low;
      if (s_.substr(i_, 2) != "\\u") return FailB("invalid \\u escape: unpaired surrogate");
      i_ += 2;
      if (!Hex4(low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return FailB("invalid \\u escape: unpaired surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp == 0) return FailB("\\u0000 is not allowed in a scenario");
    AppendUtf8(out, cp);
    return true;
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view s_;
  const SourceText& source_;
  TreeBuilder& builder_;
  Diagnostics& diags_;
  size_t i_ = 0;
  bool failed_ = false;
};

}  // namespace

NodePtr ReadJson(const SourceText& source, const LoadLimits& limits, Diagnostics& diags) {
  TreeBuilder builder(limits, diags, /*yaml_merge_keys=*/false);
  JsonReader reader(source, builder, diags);
  return reader.Read();
}

}  // namespace rmqsim::sim::loader
