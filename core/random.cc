#include "core/random.h"

#include "core/check.h"

namespace rmqsim::core {

__extension__ typedef unsigned __int128 Uint128;

uint64_t SplitMix64::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Rng::Rng(uint64_t seed) {
  SplitMix64 sm(seed);
  for (uint64_t& w : s_) w = sm.Next();
}

Rng Rng::ForStream(uint64_t seed, std::string_view name) {
  // Mix the name hash through SplitMix so that seeds 1 and 2 of one stream are unrelated.
  SplitMix64 sm(seed);
  uint64_t a = sm.Next();
  return Rng(a ^ Fnv1a64(name));
}

static inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t Rng::Next64() {
  uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Rng::Below(uint64_t n) {
  RMQ_CHECK(n > 0) << "Below(0)";
  Uint128 m = static_cast<Uint128>(Next64()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<Uint128>(Next64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

int64_t Rng::UniformInclusive(int64_t lo, int64_t hi) {
  RMQ_CHECK(lo <= hi) << "empty range " << lo << ".." << hi;
  uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<int64_t>(Next64());
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + Below(span + 1));
}

bool Rng::Chance(uint64_t num, uint64_t den) {
  RMQ_CHECK(den > 0) << "Chance with zero denominator";
  if (num >= den) return true;
  if (num == 0) return false;
  return Below(den) < num;
}

}  // namespace rmqsim::core
