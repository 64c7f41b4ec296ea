#include "sim/java_exception.h"

namespace rmqsim::sim {

bool JavaException::IsRemoting() const {
  switch (cls) {
    case ExClass::kRemotingConnectException:
    case ExClass::kRemotingTimeoutException:
    case ExClass::kRemotingSendRequestException:
    case ExClass::kRemotingTooMuchRequestException:
      return true;
    default:
      return false;
  }
}

const char* JavaException::ClassName() const {
  switch (cls) {
    case ExClass::kMQClientException: return "MQClientException";
    case ExClass::kMQBrokerException: return "MQBrokerException";
    case ExClass::kRemotingConnectException: return "RemotingConnectException";
    case ExClass::kRemotingTimeoutException: return "RemotingTimeoutException";
    case ExClass::kRemotingSendRequestException: return "RemotingSendRequestException";
    case ExClass::kRemotingTooMuchRequestException: return "RemotingTooMuchRequestException";
    case ExClass::kInterruptedException: return "InterruptedException";
    case ExClass::kIllegalStateException: return "IllegalStateException";
  }
  return "Exception";
}

std::string JavaException::Describe() const { return std::string(ClassName()) + ": " + message; }

ExPtr MakeEx(ExClass cls, std::string message, ExPtr cause, int32_t code) {
  auto e = std::make_shared<JavaException>();
  e->cls = cls;
  e->message = std::move(message);
  e->cause = std::move(cause);
  e->response_code = code;
  return e;
}

}  // namespace rmqsim::sim
