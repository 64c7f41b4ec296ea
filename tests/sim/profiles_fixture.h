// Runs one small scenario under the four client profiles side by side (tests/sim/profiles_*).
//
// Each test names a row of rocketmq-behaviour.md §11 and asserts what every profile does on the
// same cluster, faults and pinned queue index, so a profile that drifts from its release fails
// the row it breaks.
#ifndef RMQSIM_TESTS_SIM_PROFILES_FIXTURE_H_
#define RMQSIM_TESTS_SIM_PROFILES_FIXTURE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/outcome.h"
#include "sim/profile.h"
#include "tests/sim/model_fixture.h"
#include "tests/sim/model_helpers.h"

namespace rmqsim::testing {

inline const std::vector<std::string>& FourProfiles() {
  static const std::vector<std::string> v = {"4.9.0", "4.9.3", "4.9.8", "5.3.3"};
  return v;
}

// Applies a setting only where the profile has it (a 5.3.3-only option stays off elsewhere).
inline void SetConfigIfAvailable(sim::ProducerSpec& p, const std::string& profile,
                                 const std::string& key, sim::SettingValue v) {
  const sim::SettingInfo* s = sim::FindSetting(key);
  REQUIRE(s != nullptr);
  if (s->AvailableIn(profile)) SetConfig(p, key, std::move(v));
}

struct PinSpec {
  std::string thread;  // empty: no pin
  int32_t pos = 0;
  int64_t at_ms = 1500;
  size_t list_size = 8;
};

// One staged run per profile: run to `pin.at_ms`, pin `pin.thread`'s index so its next
// selection starts at list position `pin.pos`, then run to `until_ms`. `adjust` may change the
// scenario per profile (settings that only some profiles have).
class FourRuns {
 public:
  FourRuns(const sim::Scenario& base, PinSpec pin, int64_t until_ms,
           const std::function<void(sim::Scenario&, const std::string&)>& adjust = nullptr) {
    for (const std::string& name : FourProfiles()) {
      sim::Scenario s = base;
      if (adjust) adjust(s, name);
      auto run = std::make_unique<StagedRun>(s, Profile(name));
      if (!pin.thread.empty()) {
        run->RunUntil(pin.at_ms);
        auto tp = run->publish_info();
        REQUIRE(tp != nullptr);
        REQUIRE(tp->message_queue_list.size() == pin.list_size);
        const int32_t n = static_cast<int32_t>(pin.list_size);
        tp->send_which_queue().Set(core::SimThread(pin.thread), 100 * n + pin.pos - 1);
      }
      run->RunUntil(until_ms);
      runs_.emplace(name, std::move(run));
    }
  }
  StagedRun& operator[](const std::string& profile) { return *runs_.at(profile); }
  const sim::MessageRecord& msg(const std::string& profile, size_t i) {
    return (*this)[profile].message(i);
  }

 private:
  std::map<std::string, std::unique_ptr<StagedRun>> runs_;
};

inline std::string ErrorType(const sim::MessageRecord& m) { return m.error ? m.error->type : ""; }
inline std::string ErrorMessage(const sim::MessageRecord& m) {
  return m.error ? m.error->message : "";
}
inline int32_t ErrorCode(const sim::MessageRecord& m) { return m.error ? m.error->response_code : 0; }
inline std::vector<std::string> Threads(const sim::MessageRecord& m) {
  std::vector<std::string> v;
  for (const auto& a : m.attempts) v.push_back(a.thread);
  return v;
}
inline const sim::FaultItem* Item(StagedRun& run, const std::string& broker) {
  return run.producer().fault_strategy().Find(broker);
}
inline bool AnyEvent(const std::vector<core::Event>& events, const std::string& kind,
                     const std::string& needle, int64_t at_ms = -1) {
  for (const core::Event& e : events) {
    if (e.kind != kind) continue;
    if (at_ms >= 0 && e.t.java_ms() != at_ms) continue;
    if (e.text.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace rmqsim::testing

#endif  // RMQSIM_TESTS_SIM_PROFILES_FIXTURE_H_
