// libFuzzer harness: see fuzz_targets.h (FuzzRunScenario). Built with -DRMQSIM_FUZZ=ON (clang);
// ./tools/fuzz.sh runs it.
#include <cstdio>
#include <cstdlib>

#include "core/check.h"
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rmqsim::core::SetCheckFailureAction(+[] { std::abort(); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bad = rmqsim::fuzz::FuzzRunScenario(data, size);
  if (!bad.empty()) {
    std::fprintf(stderr, "rmqsim fuzz: %s\n", bad.c_str());
    std::abort();
  }
  return 0;
}
