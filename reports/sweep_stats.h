// Statistics for `rmqsim sweep`: descriptive statistics of a metric over the seeds of one grid
// point, and 95% confidence intervals.
//
//   - Proportions (loss rate = lost / messages, failed rate, duplicated rate, the fraction of runs
//     that lost a message) get the Wilson score interval, which stays inside [0, 1] and behaves
//     at 0 and n successes, where the normal ("Wald") interval collapses to a point.
//   - Means (counts and latencies per run) get the Student t interval
//     mean +- t(0.975, n-1) * s / sqrt(n), s the sample standard deviation, cut at 0 when no value
//     is negative (a count's mean cannot be; a rare event, 1 run in 20, would otherwise read
//     [-0.05, 0.15]).
//
// Every function is a pure function of its arguments, so a sweep's statistics are the same bytes
// whatever order or thread the runs came from.
//
//   Interval w = WilsonInterval(50, 500);              // [0.0766..., 0.1291...]
//   SampleStats s = DescribeSample({1, 2, 3, 4});      // mean 2.5, ci95 [0.445..., 4.554...]
#ifndef RMQSIM_REPORTS_SWEEP_STATS_H_
#define RMQSIM_REPORTS_SWEEP_STATS_H_

#include <cstddef>
#include <optional>
#include <vector>

namespace rmqsim::reports {

struct Interval {
  double low = 0;
  double high = 0;
};

// The standard normal quantile for a two-sided 95% interval, Phi^-1(0.975).
inline constexpr double kZ95 = 1.959963984540054;

// Wilson score interval for `successes` out of `trials`. REQUIRES 0 <= successes <= trials and
// trials > 0.
Interval WilsonInterval(double successes, double trials, double z = kZ95);

// Student's t distribution with `df` > 0 degrees of freedom: P(T <= t).
double StudentTCdf(double t, double df);
// Its quantile: the t with P(T <= t) = p, 0 < p < 1. Exact to about 1e-12 (bisection on the
// CDF, through the regularized incomplete beta function; a Cornish-Fisher expansion beyond 200
// degrees of freedom, where it is at least as accurate).
double StudentTQuantile(double p, double df);

struct SampleStats {
  size_t n = 0;
  double mean = 0;
  double min = 0;
  double max = 0;
  double sd = 0;  // sample standard deviation (n - 1 in the denominator); 0 when n < 2
  // Student t 95% interval for the mean; unset when n < 2.
  std::optional<Interval> ci95;
};

// Statistics of `values` (in the order given: sums are taken in that order).
SampleStats DescribeSample(const std::vector<double>& values);

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_SWEEP_STATS_H_
