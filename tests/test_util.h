// Helpers shared by the Catch2 tests.
#ifndef RMQSIM_TESTS_TEST_UTIL_H_
#define RMQSIM_TESTS_TEST_UTIL_H_

#include <catch2/catch.hpp>

#include "absl/status/status.h"

// REQUIRE that an absl::Status (or StatusOr) is OK, printing the status otherwise.
#define REQUIRE_OK(expr)                                   \
  do {                                                     \
    const auto& rmq_req_ok_ = (expr);                      \
    INFO(::rmqsim::testing::StatusText(rmq_req_ok_));      \
    REQUIRE(::rmqsim::testing::IsOk(rmq_req_ok_));         \
  } while (false)

namespace rmqsim::testing {
inline bool IsOk(const absl::Status& s) { return s.ok(); }
template <typename T>
bool IsOk(const absl::StatusOr<T>& s) { return s.ok(); }
inline std::string StatusText(const absl::Status& s) { return s.ToString(); }
template <typename T>
std::string StatusText(const absl::StatusOr<T>& s) { return s.status().ToString(); }
}  // namespace rmqsim::testing

#endif  // RMQSIM_TESTS_TEST_UTIL_H_
