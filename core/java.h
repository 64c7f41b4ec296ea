// Java semantics that the ported client code depends on and that C++ gets subtly wrong.
//
// The client's queue round robin is `Math.abs(index++) % size` on a 32-bit int; after 2^31 sends
// on one thread the index wraps and abs(Integer.MIN_VALUE) stays negative, which reverses the
// round robin in 4.9.0/4.9.3 (catalog E18). Publish lists are sorted with String.compareTo
// (UTF-16 code units) and fault-item tie order in 4.9.8 follows String.hashCode buckets.
#ifndef RMQSIM_CORE_JAVA_H_
#define RMQSIM_CORE_JAVA_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace rmqsim::core::java {

// `++i` on a Java int: wraps from INT_MAX to INT_MIN.
inline int32_t Increment(int32_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(v) + 1u);
}
// Math.abs(int): abs(Integer.MIN_VALUE) == Integer.MIN_VALUE.
inline int32_t Abs(int32_t v) {
  return v < 0 ? static_cast<int32_t>(0u - static_cast<uint32_t>(v)) : v;
}
// Java `a % b` on ints: the sign follows the dividend; MIN_VALUE % -1 == 0 (UB in C++).
// REQUIRES: b != 0.
inline int32_t Rem(int32_t a, int32_t b) {
  if (b == -1) return 0;
  return a % b;
}
// Java `a + b` on ints (wrapping).
inline int32_t Add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// The UTF-16 code units Java would hold for a UTF-8 string. Invalid UTF-8 bytes map to U+FFFD,
// as new String(bytes, UTF_8) does.
std::vector<char16_t> ToUtf16(std::string_view utf8);
// String.hashCode(): s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, wrapping.
int32_t StringHashCode(std::string_view utf8);
// String.compareTo(): difference of the first differing UTF-16 code units, else of the lengths.
// Note that this orders by code units, so a supplementary character sorts below U+E000..U+FFFF.
int32_t StringCompareTo(std::string_view a, std::string_view b);

}  // namespace rmqsim::core::java

#endif  // RMQSIM_CORE_JAVA_H_
