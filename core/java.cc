#include "core/java.h"

#include <algorithm>

namespace rmqsim::core::java {

namespace {

constexpr char16_t kReplacement = 0xFFFD;

bool IsContinuation(uint32_t b) { return (b & 0xC0) == 0x80; }

// Second byte of a 3-byte sequence led by b1 (E0..EF): a continuation byte that does not make the
// sequence overlong (E0 needs A0..BF). Encoded surrogates (ED A0..BF) pass here; see below.
bool GoodSecondOf3(uint32_t b1, uint32_t b2) {
  return IsContinuation(b2) && !(b1 == 0xE0 && b2 < 0xA0);
}

// Second byte of a 4-byte sequence led by b1 (F0..F7): the result must be in U+10000..U+10FFFF.
bool GoodSecondOf4(uint32_t b1, uint32_t b2) {
  return b1 <= 0xF4 && IsContinuation(b2) && !(b1 == 0xF0 && b2 < 0x90) &&
         !(b1 == 0xF4 && b2 > 0x8F);
}

}  // namespace

// Decodes like new String(bytes, UTF_8) in JDK 17 (String.decodeUTF8_UTF16 with replacement):
//  - an ill-formed sequence yields one U+FFFD for its longest valid-looking prefix, then decoding
//    resumes at the first byte that broke it (so C0 80 and E0 80 80 give one U+FFFD per byte);
//  - a 3-byte encoded surrogate (ED A0 80) yields a single U+FFFD for all three bytes;
//  - a sequence cut short by the end of the input yields one U+FFFD.
std::vector<char16_t> ToUtf16(std::string_view s) {
  const size_t n = s.size();
  auto at = [&](size_t k) -> uint32_t { return static_cast<unsigned char>(s[k]); };
  std::vector<char16_t> out;
  out.reserve(n);
  size_t i = 0;
  while (i < n) {
    const uint32_t b1 = at(i++);
    if (b1 < 0x80) {
      out.push_back(static_cast<char16_t>(b1));
    } else if (b1 >= 0xC2 && b1 <= 0xDF) {
      if (i < n && IsContinuation(at(i))) {
        out.push_back(static_cast<char16_t>(((b1 & 0x1F) << 6) | (at(i) & 0x3F)));
        ++i;
      } else {
        out.push_back(kReplacement);
      }
    } else if ((b1 & 0xF0) == 0xE0) {
      if (i + 1 < n) {
        const uint32_t b2 = at(i);
        const uint32_t b3 = at(i + 1);
        if (GoodSecondOf3(b1, b2) && IsContinuation(b3)) {
          const uint32_t c = ((b1 & 0x0F) << 12) | ((b2 & 0x3F) << 6) | (b3 & 0x3F);
          out.push_back(c >= 0xD800 && c <= 0xDFFF ? kReplacement : static_cast<char16_t>(c));
          i += 2;
        } else {
          out.push_back(kReplacement);
          if (GoodSecondOf3(b1, b2)) ++i;
        }
      } else {
        out.push_back(kReplacement);
        if (i < n && GoodSecondOf3(b1, at(i))) i = n;  // truncated at the end of the input
      }
    } else if ((b1 & 0xF8) == 0xF0) {
      if (i + 2 < n) {
        const uint32_t b2 = at(i);
        const uint32_t b3 = at(i + 1);
        const uint32_t b4 = at(i + 2);
        if (GoodSecondOf4(b1, b2) && IsContinuation(b3) && IsContinuation(b4)) {
          const uint32_t cp =
              (((b1 & 0x07) << 18) | ((b2 & 0x3F) << 12) | ((b3 & 0x3F) << 6) | (b4 & 0x3F)) -
              0x10000;
          out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
          out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
          i += 3;
        } else {
          out.push_back(kReplacement);
          if (GoodSecondOf4(b1, b2)) i += IsContinuation(b3) ? 2 : 1;
        }
      } else {
        out.push_back(kReplacement);
        if (i == n || GoodSecondOf4(b1, at(i))) {
          // Truncated: the good prefix (and a third byte that continues it) ends the input.
          ++i;
          if (i >= n || IsContinuation(at(i))) i = n;
        }
      }
    } else {
      out.push_back(kReplacement);  // stray continuation byte, C0, C1, F8..FF
    }
  }
  return out;
}

int32_t StringHashCode(std::string_view utf8) {
  uint32_t h = 0;
  for (char16_t c : ToUtf16(utf8)) h = 31u * h + static_cast<uint32_t>(c);
  return static_cast<int32_t>(h);
}

int32_t StringCompareTo(std::string_view a, std::string_view b) {
  std::vector<char16_t> ua = ToUtf16(a);
  std::vector<char16_t> ub = ToUtf16(b);
  size_t n = std::min(ua.size(), ub.size());
  for (size_t k = 0; k < n; ++k) {
    if (ua[k] != ub[k]) return static_cast<int32_t>(ua[k]) - static_cast<int32_t>(ub[k]);
  }
  return static_cast<int32_t>(ua.size()) - static_cast<int32_t>(ub.size());
}

}  // namespace rmqsim::core::java
