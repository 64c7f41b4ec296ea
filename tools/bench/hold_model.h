// The hold model (Vaucher and Duval 1975; Jones 1986), the standard event-queue benchmark.
//
// `pending` events are scheduled at start; each executed event schedules exactly one more at
// now + delay, so the queue holds `pending` events throughout. After `events` executions the run
// stops. Every engine draws its delays from one precomputed DelayTable in the same order:
// initial event j gets delays[j], the k-th executed event (k = 0, 1, ...) schedules its successor
// at now + delays[pending + k] (indices wrap around the table). With FIFO ties in every engine the
// runs execute the same event sequence, so they all end at the same virtual time; the harness
// checks that, which proves each engine did the same work.
//
// Each engine function builds its queue (untimed), runs the `events` executions under a Stopwatch
// (timed), and tears down (untimed).
#ifndef RMQSIM_TOOLS_BENCH_HOLD_MODEL_H_
#define RMQSIM_TOOLS_BENCH_HOLD_MODEL_H_

#include <time.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rmqsim::bench {

// Exponential delays in integer nanoseconds, drawn once from rmqsim's xoshiro256** stream.
class DelayTable {
 public:
  // `size` is rounded up to a power of two. REQUIRES: mean_ns > 0.
  DelayTable(int64_t mean_ns, uint64_t seed, size_t size);

  int64_t operator[](uint64_t i) const { return delays_[i & mask_]; }
  int64_t mean_ns() const { return mean_ns_; }
  const std::vector<int64_t>& raw() const { return delays_; }

 private:
  int64_t mean_ns_;
  std::vector<int64_t> delays_;
  uint64_t mask_;
};

// Wall-clock and thread CPU time since construction. CPU time is the figure to compare on a shared
// machine: it leaves out the time other processes held the core (cache sharing still shows).
class Stopwatch {
 public:
  Stopwatch() { Read(&wall0_, &cpu0_); }
  // Seconds since construction.
  void Elapsed(double* wall_s, double* cpu_s) const;

 private:
  static void Read(timespec* wall, timespec* cpu);
  timespec wall0_;
  timespec cpu0_;
};

struct HoldSpec {
  const DelayTable* delays = nullptr;
  uint64_t pending = 0;  // P: events kept in the queue
  uint64_t events = 0;   // executed events timed
};

struct HoldResult {
  double wall_seconds = 0;     // timed part only
  double cpu_seconds = 0;      // timed part only, this thread's CPU time
  int64_t final_time_ns = -1;  // virtual time of the last executed event
};

HoldResult RunRmqsim(const HoldSpec& spec);
HoldResult RunStdPriorityQueue(const HoldSpec& spec);

// ns-3's schedulers, through ns3::Simulator. `type` is an ns-3 TypeId name such as
// "ns3::MapScheduler". Only in builds that found ns-3 (RMQSIM_BENCH_HAVE_NS3).
HoldResult RunNs3(const HoldSpec& spec, const std::string& type);

}  // namespace rmqsim::bench

#endif  // RMQSIM_TOOLS_BENCH_HOLD_MODEL_H_
