#include "sim/scenario.h"

namespace rmqsim::sim {

SimDuration Rate::Offset(uint64_t i) const {
  Uint128 t = OffsetNs(i);
  RMQ_CHECK(t <= static_cast<Uint128>(INT64_MAX)) << "planned send time overflows";
  return SimDuration::Nanos(static_cast<int64_t>(t));
}

const char* SendModeName(SendMode m) {
  switch (m) {
    case SendMode::kSync: return "sync";
    case SendMode::kAsync: return "async";
    case SendMode::kOneway: return "oneway";
  }
  return "?";
}

const char* FaultActionName(FaultAction a) {
  switch (a) {
    case FaultAction::kKill: return "kill";
    case FaultAction::kStart: return "start";
    case FaultAction::kCrash: return "crash";
    case FaultAction::kPartition: return "partition";
    case FaultAction::kSlow: return "slow";
    case FaultAction::kError: return "error";
    case FaultAction::kDropResponses: return "drop_responses";
    case FaultAction::kHeal: return "heal";
  }
  return "?";
}

const char* CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "==";
    case CompareOp::kNe: return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

}  // namespace rmqsim::sim
