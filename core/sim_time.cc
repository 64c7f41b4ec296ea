#include "core/sim_time.h"

namespace rmqsim::core {

bool SimDuration::FromAbsl(absl::Duration d, SimDuration* out) {
  if (d == absl::InfiniteDuration() || d == -absl::InfiniteDuration()) return false;
  // Quarter-nanosecond ticks below 1 ns are dropped (absl keeps 1/4 ns resolution).
  absl::Duration rem;
  int64_t ns = absl::IDivDuration(d, absl::Nanoseconds(1), &rem);
  // IDivDuration saturates the quotient on overflow and returns the whole excess as `rem`
  // (so converting back still gives `d`): a remainder of a nanosecond or more means overflow.
  if (rem >= absl::Nanoseconds(1) || rem <= -absl::Nanoseconds(1)) return false;
  *out = SimDuration::Nanos(ns);
  return true;
}

}  // namespace rmqsim::core
