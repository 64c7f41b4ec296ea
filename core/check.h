// Invariant checks.
//
// A violated invariant inside the simulator is a bug, never a model outcome: RMQ_CHECK prints the
// failed condition, where it failed and the run context (scenario and seed, when a run has set
// one) and aborts. Checks stay on in every build type.
//
//   RMQ_CHECK(when >= now_) << "event scheduled in the past: " << when;
#ifndef RMQSIM_CORE_CHECK_H_
#define RMQSIM_CORE_CHECK_H_

#include <sstream>
#include <string>

namespace rmqsim::core {

// Names the run in every invariant failure ("scenario X seed N profile P"). Set by whoever starts
// a run; cleared when it ends. A thread-local, so parallel runs on worker threads each name their own.
void SetRunContext(std::string context);
const std::string& RunContext();

// What a failed check does after printing: by default std::_Exit(3). A fuzz harness sets
// std::abort so that libFuzzer records the input as a crash. Not thread-safe; set it once at start.
void SetCheckFailureAction(void (*action)());

namespace internal {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

// Turns the ostream expression into void so it can sit in the false branch of ?: below.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace internal
}  // namespace rmqsim::core

#define RMQ_CHECK(condition)                                   \
  (condition) ? (void)0                                        \
              : ::rmqsim::core::internal::Voidify() &          \
                    ::rmqsim::core::internal::CheckFailure(__FILE__, __LINE__, #condition).stream()

#define RMQ_FAIL() RMQ_CHECK(false)

#endif  // RMQSIM_CORE_CHECK_H_
