// The built-in default scenario (apache/rocketmq#3556), embedded at build time.
#ifndef RMQSIM_TOOLS_DEFAULT_SCENARIO_H_
#define RMQSIM_TOOLS_DEFAULT_SCENARIO_H_

namespace rmqsim::tools {
const char* DefaultScenarioText();
// The path its messages name (the file it was embedded from, relative to the repository).
const char* DefaultScenarioPath();
}  // namespace rmqsim::tools

#endif  // RMQSIM_TOOLS_DEFAULT_SCENARIO_H_
