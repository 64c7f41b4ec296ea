#include "core/scheduler.h"

#include <catch2/catch.hpp>
#include <vector>

namespace rmqsim::core {
namespace {

TEST_CASE("Scheduler runs events at the same instant in FIFO order", "[core][scheduler]") {
  Scheduler s;
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) s.ScheduleAt(SimTime::Zero() + SimDuration::Millis(5), [&, i] { order.push_back(i); });
  s.ScheduleAt(SimTime::Zero() + SimDuration::Millis(1), [&] { order.push_back(-1); });
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(order == std::vector<int>{-1, 0, 1, 2, 3, 4});
  CHECK(s.now() == SimTime::Zero() + SimDuration::Millis(5));
}

}  // namespace
}  // namespace rmqsim::core
