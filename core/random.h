// Deterministic randomness owned by rmqsim.
//
// Every random choice of a run comes from an Rng stream derived from the run seed and a stable
// name ("producer:pg#0/thread:AsyncSenderExecutor_1"), never from creation order, so adding an
// actor does not shift the draws of the others (the ns-3 manual's warning about stream order).
// The generator (xoshiro256**, seeded through SplitMix64) and the range mapping are written here
// rather than taken from <random>, whose distributions differ between standard libraries. No
// floating point: chances are integer ratios.
//
//   Rng rng = Rng::ForStream(seed, "broker:broker-a/errors");
//   if (rng.Chance(1, 10)) ...;          // 10%
//   int64_t d = rng.UniformInclusive(50, 350);
#ifndef RMQSIM_CORE_RANDOM_H_
#define RMQSIM_CORE_RANDOM_H_

#include <cstdint>
#include <string_view>

namespace rmqsim::core {

// SplitMix64 (Steele, Lea, Flood 2014): used to expand seeds.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next();

 private:
  uint64_t state_;
};

// 64-bit FNV-1a of a name, used to derive stream seeds.
uint64_t Fnv1a64(std::string_view s);

class Rng {
 public:
  // A stream seeded directly from `seed` (state expanded by SplitMix64).
  explicit Rng(uint64_t seed);
  // The stream named `name` of the run seeded with `seed`.
  static Rng ForStream(uint64_t seed, std::string_view name);

  // xoshiro256** 1.0 (Blackman, Vigna).
  uint64_t Next64();
  uint32_t Next32() { return static_cast<uint32_t>(Next64() >> 32); }
  // Uniform in [0, n). REQUIRES: n > 0. Lemire's multiply-and-reject: unbiased, deterministic.
  uint64_t Below(uint64_t n);
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t UniformInclusive(int64_t lo, int64_t hi);
  // True with probability num/den. REQUIRES: den > 0, 0 <= num.
  bool Chance(uint64_t num, uint64_t den);
  // Java's Random.nextInt(): uniform over all 2^32 int values.
  int32_t NextJavaInt() { return static_cast<int32_t>(Next32()); }
  // Java's Random.nextInt(bound): uniform in [0, bound). REQUIRES: bound > 0.
  int32_t NextJavaInt(int32_t bound) { return static_cast<int32_t>(Below(static_cast<uint64_t>(bound))); }

 private:
  uint64_t s_[4];
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_RANDOM_H_
