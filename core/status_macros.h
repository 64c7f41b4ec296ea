// Status propagation helpers that Abseil 20220623 lacks.
//
//   RMQ_RETURN_IF_ERROR(LoadFile(path));
//   RMQ_ASSIGN_OR_RETURN(Scenario s, ParseScenario(text));
#ifndef RMQSIM_CORE_STATUS_MACROS_H_
#define RMQSIM_CORE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RMQ_RETURN_IF_ERROR(expr)                   \
  do {                                              \
    ::absl::Status rmq_status_ = (expr);            \
    if (!rmq_status_.ok()) return rmq_status_;      \
  } while (false)

#define RMQ_STATUS_CONCAT_INNER_(a, b) a##b
#define RMQ_STATUS_CONCAT_(a, b) RMQ_STATUS_CONCAT_INNER_(a, b)

#define RMQ_ASSIGN_OR_RETURN(lhs, expr) \
  RMQ_ASSIGN_OR_RETURN_IMPL_(RMQ_STATUS_CONCAT_(rmq_statusor_, __LINE__), lhs, expr)

#define RMQ_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // RMQSIM_CORE_STATUS_MACROS_H_
