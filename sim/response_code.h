// RocketMQ response codes the model uses [ResponseCode, RemotingSysResponseCode @ 4.9.x, 5.3.3].
#ifndef RMQSIM_SIM_RESPONSE_CODE_H_
#define RMQSIM_SIM_RESPONSE_CODE_H_

#include <cstdint>
#include <string>

namespace rmqsim::sim::code {

inline constexpr int32_t kSuccess = 0;
inline constexpr int32_t kSystemError = 1;
inline constexpr int32_t kSystemBusy = 2;
inline constexpr int32_t kRequestCodeNotSupported = 3;
inline constexpr int32_t kFlushDiskTimeout = 10;
inline constexpr int32_t kSlaveNotAvailable = 11;
inline constexpr int32_t kFlushSlaveTimeout = 12;
inline constexpr int32_t kMessageIllegal = 13;
inline constexpr int32_t kServiceNotAvailable = 14;
inline constexpr int32_t kNoPermission = 16;
inline constexpr int32_t kTopicNotExist = 17;
inline constexpr int32_t kInvalidParameter = 29;  // 5.3.3
inline constexpr int32_t kGoAway = 1500;           // 5.3.3: a server shutting down
inline constexpr int32_t kNoBuyerId = 204;
inline constexpr int32_t kNotInCurrentUnit = 205;

// Not a response code: the store's PutMessageStatus.OS_PAGE_CACHE_BUSY, which an `error` fault can
// inject. The broker answers it with the code of its release (Profile::broker_page_cache_busy_code).
inline constexpr int32_t kStoreOsPageCacheBusy = -1001;

// "SYSTEM_BUSY" for 2, or the number as text for a code without a name here.
std::string Name(int32_t code);
// True for the codes that mean "stored, but" (returned as a SendStatus, not an exception).
bool StoresMessage(int32_t code);

}  // namespace rmqsim::sim::code

#endif  // RMQSIM_SIM_RESPONSE_CODE_H_
