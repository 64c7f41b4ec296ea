#include "core/java.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <vector>

namespace rmqsim::core::java {
namespace {

constexpr int32_t kIntMax = std::numeric_limits<int32_t>::max();
constexpr int32_t kIntMin = std::numeric_limits<int32_t>::min();

TEST_CASE("Java Increment wraps from INT_MAX to INT_MIN", "[core][java]") {
  CHECK(Increment(0) == 1);
  CHECK(Increment(-1) == 0);
  CHECK(Increment(kIntMax - 1) == kIntMax);
  CHECK(Increment(kIntMax) == kIntMin);
  CHECK(Increment(kIntMin) == kIntMin + 1);
  CHECK(Add(kIntMax, 2) == kIntMin + 1);
  CHECK(Add(kIntMin, -1) == kIntMax);
  CHECK(Add(-5, 3) == -2);
}

TEST_CASE("Java Abs of INT_MIN is INT_MIN", "[core][java]") {
  CHECK(Abs(0) == 0);
  CHECK(Abs(7) == 7);
  CHECK(Abs(-7) == 7);
  CHECK(Abs(kIntMax) == kIntMax);
  CHECK(Abs(-kIntMax) == kIntMax);
  CHECK(Abs(kIntMin) == kIntMin);
}

TEST_CASE("Java Rem follows the dividend's sign and INT_MIN % -1 is 0", "[core][java]") {
  CHECK(Rem(7, 3) == 1);
  CHECK(Rem(-7, 3) == -1);
  CHECK(Rem(7, -3) == 1);
  CHECK(Rem(-7, -3) == -1);
  CHECK(Rem(6, -3) == 0);
  CHECK(Rem(kIntMin, -1) == 0);
  CHECK(Rem(kIntMin, 1) == 0);
  CHECK(Rem(kIntMin, 3) == -2);
  CHECK(Rem(kIntMax, -2) == 1);
  CHECK(Rem(5, -1) == 0);
}

TEST_CASE("Java round robin index goes negative after the int wraps", "[core][java]") {
  // TopicPublishInfo.selectOneMessageQueue: Math.abs(index++) % size, 3 queues.
  int32_t index = kIntMax - 1;
  std::vector<int32_t> picks;
  for (int i = 0; i < 4; ++i) {
    picks.push_back(Rem(Abs(index), 3));
    index = Increment(index);
  }
  // 2147483646 % 3 == 0, 2147483647 % 3 == 1, abs(MIN) % 3 == -2, abs(MIN + 1) % 3 == 1.
  CHECK(picks == std::vector<int32_t>{0, 1, -2, 1});
}

TEST_CASE("Java StringHashCode matches String.hashCode", "[core][java]") {
  // Expected values: Java's h = 31*h + c over UTF-16 code units, wrapping to int32 (computed
  // independently in Python).
  CHECK(StringHashCode("") == 0);
  CHECK(StringHashCode("a") == 97);
  CHECK(StringHashCode("broker-a") == 372697965);
  CHECK(StringHashCode("TopicTest") == -1902610879);
  CHECK(StringHashCode("polygenelubricants") == kIntMin);
  CHECK(StringHashCode("h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C") == 394284424);  // "héllo 世界"
  CHECK(StringHashCode("\xF0\x9F\x98\x80") == 1772899);     // U+1F600: surrogates D83D DE00
  CHECK(StringHashCode("x\xF0\x90\x80\x80y") == 58460417);  // x U+10000 y
}

TEST_CASE("Java ToUtf16 encodes supplementary characters as surrogate pairs", "[core][java]") {
  CHECK(ToUtf16("A\xC3\xA9") == std::vector<char16_t>{u'A', 0x00E9});
  CHECK(ToUtf16("\xEF\xBF\xBF") == std::vector<char16_t>{0xFFFF});
  CHECK(ToUtf16("\xF0\x90\x80\x80") == std::vector<char16_t>{0xD800, 0xDC00});
  CHECK(ToUtf16("\xF4\x8F\xBF\xBF") == std::vector<char16_t>{0xDBFF, 0xDFFF});  // U+10FFFF
  CHECK(ToUtf16("a\xFFz") == std::vector<char16_t>{u'a', 0xFFFD, u'z'});
}

TEST_CASE("Java ToUtf16 replaces ill-formed UTF-8 like new String(bytes, UTF_8)", "[core][java]") {
  // Expected values printed by OpenJDK 17 (new String(bytes, StandardCharsets.UTF_8)).
  using U = std::vector<char16_t>;
  constexpr char16_t R = 0xFFFD;
  CHECK(ToUtf16("\xC0\x80") == U{R, R});         // overlong 2-byte: one per byte
  CHECK(ToUtf16("\xE0\x80\x80") == U{R, R, R});  // overlong 3-byte
  CHECK(ToUtf16("\xE0\x9F\xBF") == U{R, R, R});
  CHECK(ToUtf16("\xF0\x80\x80\x80") == U{R, R, R, R});  // overlong 4-byte
  CHECK(ToUtf16("\xF4\x90\x80\x80") == U{R, R, R, R});  // above U+10FFFF
  CHECK(ToUtf16("\xF5\x80\x80\x80") == U{R, R, R, R});
  CHECK(ToUtf16("\xF8\x88\x80\x80\x80") == U{R, R, R, R, R});
  CHECK(ToUtf16("\xED\xA0\x80") == U{R});  // encoded surrogate: a single one
  CHECK(ToUtf16("\xED\xBF\xBF"
                "A") == U{R, u'A'});
  CHECK(ToUtf16("\xE4\xB8") == U{R});  // truncated at the end: one
  CHECK(ToUtf16("\xF0\x9F\x98") == U{R});
  CHECK(ToUtf16("\xF0\x9F") == U{R});
  CHECK(ToUtf16("\xE4\xB8"
                "A") == U{R, u'A'});  // broken by the next character
  CHECK(ToUtf16("\xF0\x9F\x98"
                "A") == U{R, u'A'});
  CHECK(ToUtf16("\xF0\x9F"
                "A") == U{R, u'A'});
  CHECK(ToUtf16("\xC3"
                "A") == U{R, u'A'});
  CHECK(ToUtf16("\xE4\xB8\xE4\xB8\x96") == U{R, 0x4E16});
  CHECK(ToUtf16("\xF0\x9F\x98\xE4\xB8\x96") == U{R, 0x4E16});
  CHECK(ToUtf16("\x80") == U{R});
  CHECK(StringHashCode("\xE0\x80\x80") == 65074269);
  CHECK(StringHashCode("\xE4\xB8"
                       "A") == 2031588);
  CHECK(StringHashCode("\xF8\x88\x80\x80\x80") == -1886039875);
}

TEST_CASE("Java StringCompareTo orders like String.compareTo", "[core][java]") {
  CHECK(StringCompareTo("broker-a", "broker-a") == 0);
  CHECK(StringCompareTo("", "") == 0);
  CHECK(StringCompareTo("broker-10", "broker-2") == -1);  // '1' - '2'
  CHECK(StringCompareTo("broker-2", "broker-10") == 1);
  CHECK(StringCompareTo("broker-a", "broker-c") == -2);
  CHECK(StringCompareTo("B", "a") == 'B' - 'a');  // upper case sorts first
  // A prefix sorts first; the result is the length difference.
  CHECK(StringCompareTo("broker", "broker-a") == -2);
  CHECK(StringCompareTo("broker-a", "broker") == 2);
  CHECK(StringCompareTo("", "x") == -1);
  // UTF-16 code units, not code points: "\uFFFF".compareTo("\uD800\uDC00") == 0xFFFF - 0xD800.
  CHECK(StringCompareTo("\xEF\xBF\xBF", "\xF0\x90\x80\x80") == 0xFFFF - 0xD800);
  CHECK(StringCompareTo("\xF0\x90\x80\x80", "\xEF\xBF\xBF") < 0);
  // Below the surrogate range, code-unit and code-point order agree.
  CHECK(StringCompareTo("\xED\x9F\xBF", "\xF0\x90\x80\x80") == 0xD7FF - 0xD800);  // U+D7FF
  CHECK(StringCompareTo("\xC3\xA9", "e") == 0xE9 - 'e');
}

}  // namespace
}  // namespace rmqsim::core::java
