#include "tools/bench/hold_model.h"

#include <cmath>

#include "core/check.h"
#include "core/random.h"

namespace rmqsim::bench {

DelayTable::DelayTable(int64_t mean_ns, uint64_t seed, size_t size) : mean_ns_(mean_ns) {
  RMQ_CHECK(mean_ns > 0) << "mean delay must be positive";
  size_t n = 1;
  while (n < size) n *= 2;
  delays_.resize(n);
  mask_ = n - 1;
  core::Rng rng(seed);
  for (int64_t& d : delays_) {
    // u uniform in (0, 1], so log(u) is finite; the inverse CDF of Exp(1 / mean).
    double u = static_cast<double>((rng.Next64() >> 11) + 1) * 0x1.0p-53;
    d = std::llround(-static_cast<double>(mean_ns) * std::log(u));
  }
}

void Stopwatch::Read(timespec* wall, timespec* cpu) {
  clock_gettime(CLOCK_MONOTONIC, wall);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, cpu);
}

void Stopwatch::Elapsed(double* wall_s, double* cpu_s) const {
  timespec wall;
  timespec cpu;
  Read(&wall, &cpu);
  auto seconds = [](const timespec& a, const timespec& b) {
    return static_cast<double>(b.tv_sec - a.tv_sec) +
           static_cast<double>(b.tv_nsec - a.tv_nsec) * 1e-9;
  };
  *wall_s = seconds(wall0_, wall);
  *cpu_s = seconds(cpu0_, cpu);
}

}  // namespace rmqsim::bench
