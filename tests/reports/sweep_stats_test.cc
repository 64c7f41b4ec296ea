// Known-answer tests of the sweep statistics. The expected values were computed independently of
// rmqsim, in Python 3 without scipy:
//
//   Wilson:  p = k/n; d = 1 + z*z/n; c = (p + z*z/(2n)) / d;
//            h = z/d * sqrt(p(1-p)/n + z*z/(4n*n));  [c - h, c + h],  z = 1.959963984540054
//   t:       the closed-form CDF of Student's t for integer df (Abramowitz & Stegun 26.7.3 and
//            26.7.4: sums of powers of cos(atan(t/sqrt(df)))), solved for 0.975 by 200 bisection
//            steps; df = 1 and 2 also match tan(pi(p - 1/2)) and (2p-1)/sqrt(2p(1-p)) exactly.
//   t CI:    mean +- t(0.975, n-1) * statistics.stdev(xs) / sqrt(n).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "reports/sweep_stats.h"

namespace rmqsim::reports {
namespace {

using Catch::Matchers::WithinRel;

TEST_CASE("Wilson intervals match independently computed values", "[sweep][stats]") {
  struct Known {
    double k, n, low, high;
  };
  const Known known[] = {
      {0, 10, 0.0, 0.2775327998628892},
      {10, 10, 0.7224672001371107, 1.0},
      {50, 500, 0.07667756273730172, 0.1294219096319401},
      {1, 1000, 0.00017654637062607852, 0.0056425585979579355},
      {50123, 500000, 0.09941661811390884, 0.1010815243930164},
      {3, 7, 0.15821985525146975, 0.7495416354723428},
  };
  for (const Known& c : known) {
    INFO(c.k << " of " << c.n);
    Interval w = WilsonInterval(c.k, c.n);
    CHECK(std::fabs(w.low - c.low) <= 1e-12);
    CHECK(std::fabs(w.high - c.high) <= 1e-12);
    CHECK(w.low >= 0);
    CHECK(w.high <= 1);
  }
}

TEST_CASE("Student t quantiles match the closed-form CDF", "[sweep][stats]") {
  struct Known {
    double df, t;
  };
  const Known known[] = {
      {1, 12.706204736174676}, {2, 4.302652729749459},   {3, 3.1824463052837064},
      {4, 2.7764451051977934}, {9, 2.2621571627982053},  {29, 2.045229642132706},
      {99, 1.9842169515864194}, {199, 1.9719565442517566}, {201, 1.971836506779856},
      {999, 1.9623414611335197},
  };
  for (const Known& c : known) {
    INFO("df " << c.df);
    CHECK_THAT(StudentTQuantile(0.975, c.df), WithinRel(c.t, 1e-10));
    CHECK_THAT(StudentTQuantile(0.025, c.df), WithinRel(-c.t, 1e-10));
    CHECK_THAT(StudentTCdf(c.t, c.df), WithinRel(0.975, 1e-12));
  }
  // Exact forms: Cauchy (df 1) and df 2.
  CHECK_THAT(StudentTQuantile(0.975, 1), WithinRel(std::tan(M_PI * 0.475), 1e-12));
  CHECK_THAT(StudentTQuantile(0.975, 2), WithinRel(0.95 / std::sqrt(2 * 0.975 * 0.025), 1e-12));
  // Many degrees of freedom: the normal quantile, Phi^-1(0.975) = 1.959963984540054.
  CHECK_THAT(StudentTQuantile(0.975, 1e15), WithinRel(kZ95, 1e-14));
  CHECK_THAT(StudentTQuantile(0.975, 1e9), WithinRel(kZ95 + (kZ95 * kZ95 * kZ95 + kZ95) / 4e9, 1e-14));
}

TEST_CASE("Sample statistics give the t interval of the mean", "[sweep][stats]") {
  SampleStats s = DescribeSample({1, 2, 3, 4});
  CHECK(s.n == 4);
  CHECK(s.mean == 2.5);
  CHECK(s.min == 1);
  CHECK(s.max == 4);
  CHECK_THAT(s.sd, WithinRel(1.2909944487358056, 1e-14));
  REQUIRE(s.ci95);
  CHECK_THAT(s.ci95->low, WithinRel(0.44573974323947985, 1e-10));
  CHECK_THAT(s.ci95->high, WithinRel(4.55426025676052, 1e-10));

  SampleStats lost = DescribeSample({50, 49, 51, 49, 47, 52, 50, 48, 53, 51});
  CHECK(lost.mean == 50);
  REQUIRE(lost.ci95);
  CHECK_THAT(lost.ci95->low, WithinRel(48.693942953109214, 1e-10));
  CHECK_THAT(lost.ci95->high, WithinRel(51.306057046890786, 1e-10));
}

TEST_CASE("The interval of a mean of non-negative values stops at 0", "[sweep][stats]") {
  // One run in 20 lost a message: t(0.975, 19) = 2.093024054408263, s = sqrt(0.05).
  std::vector<double> values(20, 0.0);
  values[7] = 1;
  SampleStats s = DescribeSample(values);
  CHECK(s.mean == 0.05);
  REQUIRE(s.ci95);
  CHECK(s.ci95->low == 0);  // 0.05 - 0.1047 would be below any possible mean
  CHECK_THAT(s.ci95->high, WithinRel(0.05 + 2.093024054408263 * 0.05, 1e-10));
  // A sample with negative values keeps both ends.
  SampleStats signed_values = DescribeSample({-1, 0, 1});
  REQUIRE(signed_values.ci95);
  CHECK(signed_values.ci95->low < -1);
}

TEST_CASE("Degenerate samples: one value has no interval, a constant one a point", "[sweep][stats]") {
  SampleStats one = DescribeSample({7});
  CHECK(one.mean == 7);
  CHECK_FALSE(one.ci95);
  SampleStats flat = DescribeSample({500, 500, 500});
  REQUIRE(flat.ci95);
  CHECK(flat.ci95->low == 500);
  CHECK(flat.ci95->high == 500);
  CHECK(DescribeSample({}).n == 0);
}

}  // namespace
}  // namespace rmqsim::reports
