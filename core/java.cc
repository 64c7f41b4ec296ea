#include "core/java.h"

#include <algorithm>

namespace rmqsim::core::java {

std::vector<char16_t> ToUtf16(std::string_view s) {
  std::vector<char16_t> out;
  out.reserve(s.size());
  size_t i = 0;
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xE0) == 0xC0 && cont(1)) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      len = 2;
      if (cp < 0x80) cp = 0xFFFD;
    } else if ((c & 0xF0) == 0xE0 && cont(1) && cont(2)) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      len = 3;
      if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    } else if ((c & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3)) {
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
      len = 4;
      if (cp < 0x10000 || cp > 0x10FFFF) cp = 0xFFFD;
    } else {
      cp = 0xFFFD;
      len = 1;
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
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
