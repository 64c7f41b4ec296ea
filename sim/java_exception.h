// Modelled Java exceptions as values.
//
// The model reproduces upstream exception flow (which catch block sees what, with which message,
// cause and response code) without C++ exceptions: a function that "throws" returns a Try<T>
// holding a JavaException, and the caller branches exactly where upstream has a catch block.
#ifndef RMQSIM_SIM_JAVA_EXCEPTION_H_
#define RMQSIM_SIM_JAVA_EXCEPTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace rmqsim::sim {

enum class ExClass {
  kMQClientException,
  kMQBrokerException,
  kRemotingConnectException,
  kRemotingTimeoutException,
  kRemotingSendRequestException,
  kRemotingTooMuchRequestException,
  kInterruptedException,
  kIllegalStateException,
};

struct JavaException {
  ExClass cls;
  std::string message;
  // MQClientException.getResponseCode() / MQBrokerException.getResponseCode(); -1 when unset.
  int32_t response_code = -1;
  std::shared_ptr<const JavaException> cause;

  // RemotingException and its subclasses.
  bool IsRemoting() const;
  const char* ClassName() const;
  // "RemotingConnectException: connect to 10.0.0.1:10911 failed"
  std::string Describe() const;
};

using ExPtr = std::shared_ptr<const JavaException>;

ExPtr MakeEx(ExClass cls, std::string message, ExPtr cause = nullptr, int32_t code = -1);

// The result of a call that may throw a modelled exception.
template <typename T>
class Try {
 public:
  // Implicit like a return value; taken by reference so that the value is moved (or copied)
  // once, straight into place.
  Try(const T& value) : value_(value) {}        // NOLINT
  Try(T&& value) : value_(std::move(value)) {}  // NOLINT
  Try(ExPtr ex) : ex_(std::move(ex)) {}       // NOLINT: implicit like a throw
  bool ok() const { return ex_ == nullptr; }
  const T& value() const { return *value_; }
  T& value() { return *value_; }
  const ExPtr& ex() const { return ex_; }

 private:
  std::optional<T> value_;
  ExPtr ex_;
};

struct Unit {};
using TryVoid = Try<Unit>;
inline TryVoid Ok() { return TryVoid(Unit{}); }

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_JAVA_EXCEPTION_H_
