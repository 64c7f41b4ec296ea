#include "core/check.h"

#include <cstdio>
#include <cstdlib>

namespace rmqsim::core {
namespace {
thread_local std::string run_context;
void (*failure_action)() = nullptr;
}  // namespace

void SetRunContext(std::string context) { run_context = std::move(context); }
const std::string& RunContext() { return run_context; }
void SetCheckFailureAction(void (*action)()) { failure_action = action; }

namespace internal {

CheckFailure::CheckFailure(const char* file, int line, const char* condition) {
  stream_ << "rmqsim: internal invariant violated at " << file << ":" << line << ": " << condition
          << ": ";
}

CheckFailure::~CheckFailure() {
  if (!run_context.empty()) stream_ << " [" << run_context << "]";
  stream_ << "\nThis is a bug in rmqsim, not a model outcome; please report it with the scenario "
             "and seed.\n";
  std::fputs(stream_.str().c_str(), stderr);
  std::fflush(stderr);
  if (failure_action != nullptr) failure_action();
  std::_Exit(3);
}

}  // namespace internal
}  // namespace rmqsim::core
