// rmqsim: the command-line front end. Parses flags, calls the library, maps the result to an
// exit status (0 ok, 1 an expectation failed, 2 invalid input or usage, 3 internal invariant).
#include <cstdio>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "sim/profile.h"

namespace {

int ListCommand() {
  std::cout << "Profiles (client releases whose producer logic is modelled):\n";
  for (const rmqsim::sim::Profile* p : rmqsim::sim::AllProfiles()) {
    std::printf("  %-7s %-20s %s\n", std::string(p->name).c_str(),
                std::string(p->upstream_tag).c_str(), std::string(p->summary).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rmqsim: deterministic simulator of Apache RocketMQ producer retry behaviour"};
  app.set_version_flag("--version", std::string("rmqsim ") + RMQSIM_VERSION + " (" +
                                        RMQSIM_GIT_COMMIT + ")");
  app.require_subcommand(1);
  CLI::App* list = app.add_subcommand("list", "List client profiles and shipped scenarios");
  list->footer("Example:\n  rmqsim list");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (*list) return ListCommand();
  return 2;
}
