#include "sim/run.h"

#include "absl/strings/str_cat.h"
#include "sim/world.h"

namespace rmqsim::sim {

RunResult RunScenario(const Scenario& scenario, const Profile& profile, const RunOptions& options) {
  uint64_t seed = options.seed.value_or(scenario.seed);
  core::SetRunContext(absl::StrCat("scenario ", scenario.path.empty() ? scenario.id : scenario.path,
                                   " seed ", seed, " profile ", std::string(profile.name)));
  core::VectorSink vector_sink;
  std::vector<core::EventSink*> sinks;
  if (options.record_events) sinks.push_back(&vector_sink);
  if (options.extra_sink != nullptr) sinks.push_back(options.extra_sink);
  core::TeeSink tee(sinks);
  RunResult result;
  result.profile = std::string(profile.name);
  {
    World world(scenario, profile, seed, sinks.empty() ? nullptr : &tee);
    world.Run();
    result.end = world.scheduler().now();
    result.events_executed = world.scheduler().executed_events();
    result.messages = world.recorder().Take();
  }
  result.summary = Summarize(result.messages);
  result.events = vector_sink.Take();
  core::SetRunContext("");
  return result;
}

}  // namespace rmqsim::sim
