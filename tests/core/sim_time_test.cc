#include "core/sim_time.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

#include "absl/time/time.h"

namespace rmqsim::core {
namespace {

TEST_CASE("SimTime java_ms is the floor of virtual time in milliseconds", "[core][sim_time]") {
  CHECK(SimTime::Zero().java_ms() == 0);
  CHECK(SimTime::FromNanos(999'999).java_ms() == 0);
  CHECK(SimTime::FromNanos(1'000'000).java_ms() == 1);
  CHECK(SimTime::FromNanos(1'999'999).java_ms() == 1);
  CHECK(SimTime::FromNanos(3'000'000'000).java_ms() == 3000);
  // Before run start (only reachable by subtraction): still floor, not truncation.
  CHECK(SimTime::FromNanos(-1).java_ms() == -1);
  CHECK(SimTime::FromNanos(-1'000'000).java_ms() == -1);
  CHECK(SimTime::FromNanos(-1'000'001).java_ms() == -2);
  CHECK(SimTime::Max().java_ms() == std::numeric_limits<int64_t>::max() / 1'000'000);
}

TEST_CASE("SimDuration floor_ms rounds toward negative infinity", "[core][sim_time]") {
  CHECK(SimDuration::Zero().floor_ms() == 0);
  CHECK(SimDuration::Nanos(1).floor_ms() == 0);
  CHECK(SimDuration::Nanos(2'500'000).floor_ms() == 2);
  CHECK(SimDuration::Nanos(-1).floor_ms() == -1);
  CHECK(SimDuration::Nanos(-999'999).floor_ms() == -1);
  CHECK(SimDuration::Nanos(-1'000'000).floor_ms() == -1);
  CHECK(SimDuration::Nanos(-1'000'001).floor_ms() == -2);
  CHECK(SimDuration::Nanos(-2'500'000).floor_ms() == -3);
  CHECK(SimDuration::Nanos(std::numeric_limits<int64_t>::min()).floor_ms() ==
        std::numeric_limits<int64_t>::min() / 1'000'000 - 1);
  // A cost measured like the Java client: difference of two floored clocks.
  SimTime start = SimTime::FromNanos(999'999);
  SimTime end = SimTime::FromNanos(1'000'001);
  CHECK((end - start).floor_ms() == 0);
  CHECK(end.java_ms() - start.java_ms() == 1);
}

TEST_CASE("SimDuration factories and arithmetic are exact", "[core][sim_time]") {
  CHECK(SimDuration::Nanos(7).ns() == 7);
  CHECK(SimDuration::Micros(3).ns() == 3'000);
  CHECK(SimDuration::Millis(3).ns() == 3'000'000);
  CHECK(SimDuration::Seconds(3).ns() == 3'000'000'000);
  CHECK(SimDuration::Millis(-2).ns() == -2'000'000);
  CHECK(SimDuration::Seconds(1) + SimDuration::Millis(500) == SimDuration::Millis(1500));
  CHECK(SimDuration::Seconds(1) - SimDuration::Millis(1500) == SimDuration::Millis(-500));
  CHECK(SimDuration::Millis(250) * 4 == SimDuration::Seconds(1));
  CHECK(SimDuration::Millis(250) * -2 == SimDuration::Millis(-500));
  SimDuration d = SimDuration::Millis(10);
  d += SimDuration::Millis(5);
  CHECK(d == SimDuration::Millis(15));
  d -= SimDuration::Millis(20);
  CHECK(d == SimDuration::Millis(-5));
  CHECK(SimDuration::Millis(1) < SimDuration::Millis(2));
  CHECK(SimDuration::Millis(-1) < SimDuration::Zero());
  CHECK(SimDuration() == SimDuration::Zero());
  CHECK(SimDuration::Max().ns() == std::numeric_limits<int64_t>::max());
  CHECK(SimDuration::Millis(1500).ms_double() == 1500.0);
  CHECK(SimDuration::Millis(1500).ToString() == "1.5s");
  CHECK(SimDuration::Millis(250).ToString() == "250ms");
  CHECK(SimDuration::Millis(250).ToAbsl() == absl::Milliseconds(250));
}

TEST_CASE("SimTime arithmetic with durations", "[core][sim_time]") {
  SimTime t = SimTime::Zero() + SimDuration::Millis(3000);
  CHECK(t.ns() == 3'000'000'000);
  CHECK(t.java_ms() == 3000);
  CHECK(t.since_start() == SimDuration::Seconds(3));
  CHECK(t - SimDuration::Millis(500) == SimTime::FromNanos(2'500'000'000));
  CHECK(t - SimTime::FromNanos(1'000'000'000) == SimDuration::Seconds(2));
  CHECK(SimTime::Zero() - t == SimDuration::Seconds(-3));
  SimTime u = t;
  u += SimDuration::Nanos(1);
  CHECK(u > t);
  CHECK(u.ns() == 3'000'000'001);
  CHECK(SimTime() == SimTime::Zero());
  CHECK(SimTime::Max().ns() == std::numeric_limits<int64_t>::max());
  CHECK(SimTime::FromNanos(1'500'000).ms_double() == 1.5);
}

TEST_CASE("SimDuration FromAbsl converts exactly and round-trips", "[core][sim_time]") {
  SimDuration out = SimDuration::Nanos(-42);
  REQUIRE(SimDuration::FromAbsl(absl::Milliseconds(1500), &out));
  CHECK(out == SimDuration::Millis(1500));
  CHECK(out.ToAbsl() == absl::Milliseconds(1500));

  REQUIRE(SimDuration::FromAbsl(absl::Nanoseconds(-7), &out));
  CHECK(out.ns() == -7);

  REQUIRE(SimDuration::FromAbsl(absl::ZeroDuration(), &out));
  CHECK(out == SimDuration::Zero());

  absl::Duration parsed;
  REQUIRE(absl::ParseDuration("2m30.5s", &parsed));
  REQUIRE(SimDuration::FromAbsl(parsed, &out));
  CHECK(out == SimDuration::Millis(150'500));

  // The extremes of int64 nanoseconds still fit.
  REQUIRE(SimDuration::FromAbsl(absl::Nanoseconds(std::numeric_limits<int64_t>::max()), &out));
  CHECK(out == SimDuration::Max());
  REQUIRE(SimDuration::FromAbsl(absl::Nanoseconds(std::numeric_limits<int64_t>::min()), &out));
  CHECK(out.ns() == std::numeric_limits<int64_t>::min());

  // Sub-nanosecond ticks are dropped (toward zero).
  REQUIRE(SimDuration::FromAbsl(absl::Nanoseconds(3) + absl::Nanoseconds(1) / 4, &out));
  CHECK(out.ns() == 3);
}

TEST_CASE("SimDuration FromAbsl rejects infinite and out-of-range durations", "[core][sim_time]") {
  const SimDuration sentinel = SimDuration::Nanos(123);
  SimDuration out = sentinel;
  // 3,000,000 h = 1.08e19 ns > INT64_MAX (9.22e18 ns, about 2,562,047 h).
  CHECK_FALSE(SimDuration::FromAbsl(absl::Hours(3000000), &out));
  CHECK(out == sentinel);
  CHECK_FALSE(SimDuration::FromAbsl(-absl::Hours(3000000), &out));
  CHECK(out == sentinel);
  CHECK_FALSE(SimDuration::FromAbsl(
      absl::Nanoseconds(std::numeric_limits<int64_t>::max()) + absl::Nanoseconds(1), &out));
  CHECK(out == sentinel);
  CHECK_FALSE(SimDuration::FromAbsl(
      absl::Nanoseconds(std::numeric_limits<int64_t>::min()) - absl::Nanoseconds(1), &out));
  CHECK(out == sentinel);
  CHECK_FALSE(SimDuration::FromAbsl(absl::InfiniteDuration(), &out));
  CHECK_FALSE(SimDuration::FromAbsl(-absl::InfiniteDuration(), &out));
  CHECK(out == sentinel);
  // Just inside the range.
  CHECK(SimDuration::FromAbsl(absl::Hours(2562047), &out));
  CHECK(out == SimDuration::Seconds(2562047LL * 3600));
}

}  // namespace
}  // namespace rmqsim::core
