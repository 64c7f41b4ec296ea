// Virtual time: integer nanoseconds.
//
// SimTime is a point on a run's virtual clock (0 = run start); SimDuration is a signed span. Both
// wrap an int64 count of nanoseconds, like ns-3's Time and OMNeT++'s simtime_t: exact, totally
// ordered, 8 bytes, and distinct from absl::Time so that wall-clock time cannot compile into the
// model. absl::Duration appears only at the edges (parsing scenario durations, formatting).
// Arithmetic that would overflow is an invariant failure, never a silent wrap or saturation.
//
// The modelled Java client measures every cost and deadline with System.currentTimeMillis(), so
// SimTime::java_ms() gives floor(ns / 1e6), the millisecond clock the client sees.
//
//   SimTime t = SimTime::Zero() + SimDuration::Millis(3000);
//   int64_t cost = t.java_ms() - start.java_ms();
#ifndef RMQSIM_CORE_SIM_TIME_H_
#define RMQSIM_CORE_SIM_TIME_H_

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/time/time.h"
#include "core/check.h"

namespace rmqsim::core {

namespace internal {
inline int64_t CheckedAdd(int64_t a, int64_t b) {
  int64_t r;
  RMQ_CHECK(!__builtin_add_overflow(a, b, &r)) << "virtual time overflow: " << a << " + " << b;
  return r;
}
inline int64_t CheckedSub(int64_t a, int64_t b) {
  int64_t r;
  RMQ_CHECK(!__builtin_sub_overflow(a, b, &r)) << "virtual time overflow: " << a << " - " << b;
  return r;
}
inline int64_t CheckedMul(int64_t a, int64_t b) {
  int64_t r;
  RMQ_CHECK(!__builtin_mul_overflow(a, b, &r)) << "virtual time overflow: " << a << " * " << b;
  return r;
}
// floor(a / b) for b > 0.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}
}  // namespace internal

class SimDuration {
 public:
  constexpr SimDuration() = default;
  static constexpr SimDuration Zero() { return SimDuration(0); }
  static constexpr SimDuration Max() { return SimDuration(std::numeric_limits<int64_t>::max()); }
  static constexpr SimDuration Nanos(int64_t n) { return SimDuration(n); }
  static SimDuration Micros(int64_t n) { return SimDuration(internal::CheckedMul(n, 1000)); }
  static SimDuration Millis(int64_t n) { return SimDuration(internal::CheckedMul(n, 1000000)); }
  static SimDuration Seconds(int64_t n) { return SimDuration(internal::CheckedMul(n, 1000000000)); }
  // Exact conversion; false when `d` is infinite or does not fit in int64 nanoseconds.
  static bool FromAbsl(absl::Duration d, SimDuration* out);

  constexpr int64_t ns() const { return ns_; }
  // Whole milliseconds, rounded toward negative infinity.
  int64_t floor_ms() const { return internal::FloorDiv(ns_, 1000000); }
  // Milliseconds with the sub-millisecond fraction, for reports only (never for decisions).
  double ms_double() const { return static_cast<double>(ns_) / 1e6; }
  absl::Duration ToAbsl() const { return absl::Nanoseconds(ns_); }
  // "3s", "250ms", "1.5s" (absl formatting).
  std::string ToString() const { return absl::FormatDuration(ToAbsl()); }

  SimDuration operator+(SimDuration o) const { return SimDuration(internal::CheckedAdd(ns_, o.ns_)); }
  SimDuration operator-(SimDuration o) const { return SimDuration(internal::CheckedSub(ns_, o.ns_)); }
  SimDuration operator*(int64_t k) const { return SimDuration(internal::CheckedMul(ns_, k)); }
  SimDuration& operator+=(SimDuration o) { return *this = *this + o; }
  SimDuration& operator-=(SimDuration o) { return *this = *this - o; }
  constexpr auto operator<=>(const SimDuration&) const = default;

 private:
  constexpr explicit SimDuration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime Zero() { return SimTime(0); }
  static constexpr SimTime Max() { return SimTime(std::numeric_limits<int64_t>::max()); }
  static constexpr SimTime FromNanos(int64_t ns) { return SimTime(ns); }

  constexpr int64_t ns() const { return ns_; }
  // System.currentTimeMillis() of the modelled JVM: floor of virtual time in milliseconds.
  int64_t java_ms() const { return internal::FloorDiv(ns_, 1000000); }
  double ms_double() const { return static_cast<double>(ns_) / 1e6; }
  SimDuration since_start() const { return SimDuration::Nanos(ns_); }

  SimTime operator+(SimDuration d) const { return SimTime(internal::CheckedAdd(ns_, d.ns())); }
  SimTime operator-(SimDuration d) const { return SimTime(internal::CheckedSub(ns_, d.ns())); }
  SimDuration operator-(SimTime o) const {
    return SimDuration::Nanos(internal::CheckedSub(ns_, o.ns_));
  }
  SimTime& operator+=(SimDuration d) { return *this = *this + d; }
  constexpr auto operator<=>(const SimTime&) const = default;

 private:
  constexpr explicit SimTime(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_SIM_TIME_H_
