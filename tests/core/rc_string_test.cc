#include "core/rc_string.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <utility>

namespace rmqsim::core {
namespace {

TEST_CASE("RcString copies share one string and read like a std::string", "[core][rc_string]") {
  RcString id = std::string("pg-soak#12/1234567");  // past the small-string buffer
  RcString copy = id;
  CHECK(copy.data() == id.data());  // shared, not copied
  CHECK(copy == id);
  CHECK(copy == "pg-soak#12/1234567");
  CHECK(copy.size() == 18);
  const std::string& s = copy;
  CHECK(s == "pg-soak#12/1234567");
  CHECK("id " + copy == "id pg-soak#12/1234567");
  CHECK(copy + "!" == "pg-soak#12/1234567!");
  std::ostringstream out;
  out << copy;
  CHECK(out.str() == "pg-soak#12/1234567");
  CHECK(RcString("a") < RcString("b"));
  CHECK_FALSE(RcString("a") == RcString("b"));
}

TEST_CASE("RcString moves leave the source empty and the last owner frees the text",
          "[core][rc_string]") {
  RcString a = "TopicTest";
  RcString b = std::move(a);
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): documented state
  CHECK(a == "");
  CHECK(b == "TopicTest");
  {
    RcString c = b;
    b = RcString("other");  // c keeps the old text alive
    CHECK(c == "TopicTest");
    const RcString& self = c;
    c = self;  // self-assignment keeps it
    CHECK(c == "TopicTest");
  }
  CHECK(b == "other");
  RcString empty = std::string();
  CHECK(empty.empty());
  CHECK(empty.str().empty());
  CHECK(std::string(empty.c_str()).empty());
}

}  // namespace
}  // namespace rmqsim::core
