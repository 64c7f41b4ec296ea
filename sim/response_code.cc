#include "sim/response_code.h"

namespace rmqsim::sim::code {

std::string Name(int32_t c) {
  switch (c) {
    case kSuccess: return "SUCCESS";
    case kSystemError: return "SYSTEM_ERROR";
    case kSystemBusy: return "SYSTEM_BUSY";
    case kRequestCodeNotSupported: return "REQUEST_CODE_NOT_SUPPORTED";
    case kFlushDiskTimeout: return "FLUSH_DISK_TIMEOUT";
    case kSlaveNotAvailable: return "SLAVE_NOT_AVAILABLE";
    case kFlushSlaveTimeout: return "FLUSH_SLAVE_TIMEOUT";
    case kMessageIllegal: return "MESSAGE_ILLEGAL";
    case kServiceNotAvailable: return "SERVICE_NOT_AVAILABLE";
    case kNoPermission: return "NO_PERMISSION";
    case kTopicNotExist: return "TOPIC_NOT_EXIST";
    case kInvalidParameter: return "INVALID_PARAMETER";
    case kGoAway: return "GO_AWAY";
    case kStoreOsPageCacheBusy: return "OS_PAGECACHE_BUSY";
    case kNoBuyerId: return "NO_BUYER_ID";
    case kNotInCurrentUnit: return "NOT_IN_CURRENT_UNIT";
    default: return std::to_string(c);
  }
}

bool StoresMessage(int32_t c) {
  return c == kSuccess || c == kFlushDiskTimeout || c == kFlushSlaveTimeout ||
         c == kSlaveNotAvailable;
}

}  // namespace rmqsim::sim::code
