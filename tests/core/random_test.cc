#include "core/random.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <vector>

namespace rmqsim::core {
namespace {

// Expected values in this file come from an independent Python reference implementation of
// SplitMix64 and xoshiro256** 1.0 (checked against the published vectors: SplitMix64(0) first
// output 0xe220a8397b1dcdaf; xoshiro256** from state {1,2,3,4}: 11520, 0, 1509978240, ...).

std::vector<uint64_t> Draw(Rng rng, int n) {
  std::vector<uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(rng.Next64());
  return out;
}

TEST_CASE("SplitMix64 and FNV-1a match their reference values", "[core][random]") {
  SplitMix64 sm(0);
  CHECK(sm.Next() == 0xe220a8397b1dcdafULL);
  CHECK(sm.Next() == 0x6e789e6aa1b965f4ULL);
  CHECK(sm.Next() == 0x06c45d188009454fULL);
  CHECK(Fnv1a64("") == 0xcbf29ce484222325ULL);
  CHECK(Fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(Fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("Rng output sequence is pinned for known seeds", "[core][random]") {
  CHECK(Draw(Rng(0), 5) == std::vector<uint64_t>{0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL,
                                                 0x1a5f849d4933e6e0ULL, 0x6aa594f1262d2d2cULL,
                                                 0xbba5ad4a1f842e59ULL});
  CHECK(Draw(Rng(1), 5) == std::vector<uint64_t>{0xb3f2af6d0fc710c5ULL, 0x853b559647364ceaULL,
                                                 0x92f89756082a4514ULL, 0x642e1c7bc266a3a7ULL,
                                                 0xb27a48e29a233673ULL});
  CHECK(Draw(Rng(42), 5) == std::vector<uint64_t>{0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL,
                                                  0xae17533239e499a1ULL, 0xecb8ad4703b360a1ULL,
                                                  0xfde6dc7fe2ec5e64ULL});
  CHECK(Draw(Rng(0xDEADBEEFCAFEBABEULL), 5) ==
        std::vector<uint64_t>{0x2299b3421aa78b66ULL, 0x9af6550483e02887ULL, 0xda059cb5eec5c979ULL,
                              0xcf86bd29360fff98ULL, 0x5cc883c940089820ULL});
  // Further along one stream: the state update, not just the first outputs.
  std::vector<uint64_t> twenty = Draw(Rng(1), 20);
  CHECK(twenty[15] == 0xe3fa941b05219325ULL);
  CHECK(twenty[19] == 0x10538449e2d4f5afULL);
}

TEST_CASE("Rng Next32 and NextJavaInt take the high 32 bits", "[core][random]") {
  Rng a(42);
  CHECK(a.Next32() == 0x15780b2eU);
  CHECK(a.Next32() == 0x6104d986U);
  Rng b(42);
  std::vector<int32_t> ints;
  for (int i = 0; i < 4; ++i) ints.push_back(b.NextJavaInt());
  CHECK(ints == std::vector<int32_t>{360188718, 1627707782, -1374203086, -323441337});
  Rng c(42);
  std::vector<int32_t> bounded;
  for (int i = 0; i < 6; ++i) bounded.push_back(c.NextJavaInt(100));
  CHECK(bounded == std::vector<int32_t>{8, 37, 68, 92, 99, 76});
}

TEST_CASE("Rng ForStream derives streams from the seed and a stable name", "[core][random]") {
  CHECK(Draw(Rng::ForStream(42, "a"), 3) ==
        std::vector<uint64_t>{0xe21abb5b16c9c8b6ULL, 0x9bbce76ff2fa08b8ULL, 0x8863007a8d21f4eeULL});
  CHECK(Draw(Rng::ForStream(42, "b"), 3) ==
        std::vector<uint64_t>{0xa9387965b41d20b8ULL, 0xcfdc6a1906f49170ULL, 0xeb85fc68573f32e7ULL});
  CHECK(Draw(Rng::ForStream(7, "broker:broker-a/errors"), 3) ==
        std::vector<uint64_t>{0x7bb50c8a05f67c1cULL, 0xb49d1ff5b7817c16ULL, 0xd4d21589a1f94cd6ULL});
  CHECK(Draw(Rng::ForStream(42, "a"), 8) != Draw(Rng::ForStream(42, "b"), 8));
  CHECK(Draw(Rng::ForStream(1, "a"), 8) != Draw(Rng::ForStream(2, "a"), 8));
  CHECK(Draw(Rng::ForStream(42, "a"), 8) != Draw(Rng(42), 8));
}

TEST_CASE("Rng stream does not depend on the creation order of other streams", "[core][random]") {
  std::vector<uint64_t> a_first;
  std::vector<uint64_t> a_last;
  {
    Rng a = Rng::ForStream(99, "producer:pg#0/thread:AsyncSenderExecutor_1");
    Rng b = Rng::ForStream(99, "broker:broker-a/errors");
    b.Next64();
    a_first = Draw(a, 6);
  }
  {
    Rng b = Rng::ForStream(99, "broker:broker-a/errors");
    Rng c = Rng::ForStream(99, "nameserver:ns-1");
    for (int i = 0; i < 10; ++i) {
      b.Next64();
      c.Next64();
    }
    Rng a = Rng::ForStream(99, "producer:pg#0/thread:AsyncSenderExecutor_1");
    a_last = Draw(a, 6);
  }
  CHECK(a_first == a_last);
}

TEST_CASE("Rng Below is uniform in [0, n) with the pinned sequence", "[core][random]") {
  Rng r(42);
  std::vector<uint64_t> got;
  for (int i = 0; i < 10; ++i) got.push_back(r.Below(10));
  CHECK(got == std::vector<uint64_t>{0, 3, 6, 9, 9, 7, 7, 8, 7, 5});

  Rng one(5);
  for (int i = 0; i < 100; ++i) REQUIRE(one.Below(1) == 0);

  // n = 2^63 + 1 rejects about half of all draws: the rejection loop is exercised
  // (12 raw draws for these 6 results).
  Rng big(1);
  got.clear();
  for (int i = 0; i < 6; ++i) got.push_back(big.Below((1ULL << 63) + 1));
  CHECK(got == std::vector<uint64_t>{4800180567299270261ULL, 5295190459760845450ULL,
                                     3609369285294772691ULL, 3515805966490203214ULL,
                                     5088625326638160104ULL, 8828779273611113555ULL});
  Rng twin(1);
  for (int i = 0; i < 12; ++i) twin.Next64();
  CHECK(big.Next64() == twin.Next64());

  Rng r2(3);
  std::vector<int> hist(7, 0);
  for (int i = 0; i < 7000; ++i) {
    uint64_t v = r2.Below(7);
    REQUIRE(v < 7);
    ++hist[v];
  }
  for (int h : hist) CHECK(h > 850);  // each bucket ~1000
}

TEST_CASE("Rng UniformInclusive covers both bounds and nothing else", "[core][random]") {
  Rng r(42);
  std::vector<int64_t> got;
  for (int i = 0; i < 8; ++i) got.push_back(r.UniformInclusive(50, 350));
  CHECK(got == std::vector<int64_t>{75, 164, 254, 328, 348, 281, 266, 305});

  Rng r7(7);
  got.clear();
  for (int i = 0; i < 10; ++i) got.push_back(r7.UniformInclusive(-3, 3));
  CHECK(got == std::vector<int64_t>{1, -2, 2, 3, 3, 3, -3, -3, -1, -2});

  Rng small(11);
  bool saw_lo = false;
  bool saw_hi = false;
  for (int i = 0; i < 1000; ++i) {
    int64_t v = small.UniformInclusive(-2, 2);
    REQUIRE(v >= -2);
    REQUIRE(v <= 2);
    saw_lo |= v == -2;
    saw_hi |= v == 2;
  }
  CHECK(saw_lo);
  CHECK(saw_hi);

  Rng same(1);
  CHECK(same.UniformInclusive(9, 9) == 9);

  // The full int64 range is one raw draw reinterpreted.
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  Rng full(7);
  CHECK(full.UniformInclusive(kMin, kMax) == -5523389002881075622LL);
  CHECK(full.UniformInclusive(kMin, kMax) == 5142052590334782674LL);
  Rng edge(8);
  for (int i = 0; i < 100; ++i) {
    int64_t v = edge.UniformInclusive(kMax - 1, kMax);
    REQUIRE(v >= kMax - 1);
    int64_t w = edge.UniformInclusive(kMin, kMin + 1);
    REQUIRE(w <= kMin + 1);
  }
}

TEST_CASE("Rng Chance is exact at the bounds and an integer ratio in between", "[core][random]") {
  Rng r(42);
  for (uint64_t d : {1ULL, 2ULL, 10ULL, 1000ULL, ~0ULL}) {
    CHECK_FALSE(r.Chance(0, d));
    CHECK(r.Chance(d, d));
    CHECK(r.Chance(d == ~0ULL ? d : d + 1, d));
  }
  // Bounds consume no draws.
  Rng a(42);
  Rng b(42);
  a.Chance(0, 5);
  a.Chance(5, 5);
  CHECK(a.Next64() == b.Next64());

  Rng c(42);
  int hits = 0;
  for (int i = 0; i < 10000; ++i) hits += c.Chance(1, 4) ? 1 : 0;
  CHECK(hits == 2556);
}

}  // namespace
}  // namespace rmqsim::core
