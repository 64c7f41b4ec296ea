#include "core/event_log.h"

namespace rmqsim::core {

void FingerprintSink::Mix(const void* p, size_t n) {
  const unsigned char* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) {
    hash_ ^= b[i];
    hash_ *= 0x100000001b3ULL;
  }
}

void FingerprintSink::OnEvent(const Event& e) {
  int64_t t = e.t.ns();
  Mix(&t, sizeof t);
  auto mix_str = [&](const std::string& s) {
    uint64_t n = s.size();
    Mix(&n, sizeof n);
    Mix(s.data(), s.size());
  };
  mix_str(e.actor);
  mix_str(e.kind);
  mix_str(e.msg);
  mix_str(e.text);
  for (const auto& [k, v] : e.fields) {
    mix_str(k);
    mix_str(v);
  }
  ++count_;
}

}  // namespace rmqsim::core
