#include "core/sim_time.h"

namespace rmqsim::core {

bool SimDuration::FromAbsl(absl::Duration d, SimDuration* out) {
  if (d == absl::InfiniteDuration() || d == -absl::InfiniteDuration()) return false;
  // Quarter-nanosecond ticks below 1 ns are dropped (absl keeps 1/4 ns resolution).
  absl::Duration rem;
  int64_t ns = absl::IDivDuration(d, absl::Nanoseconds(1), &rem);
  // IDivDuration saturates on overflow: detect by converting back.
  if (absl::Nanoseconds(ns) + rem != d) return false;
  *out = SimDuration::Nanos(ns);
  return true;
}

}  // namespace rmqsim::core
