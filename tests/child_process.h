// Runs a program as a child process and reports how it ended, what it printed and how much memory
// it used: for tests that must see an exit status (2 for bad input, 3 for a violated invariant),
// a limit on a child's resources, or a crash, without taking the test runner down with it.
//
//   ChildResult r = RunChild({RMQSIM_BINARY, "validate", path});
//   CHECK(r.exit_status == 2);
//   CHECK(r.max_rss_mb() < 256);
#ifndef RMQSIM_TESTS_CHILD_PROCESS_H_
#define RMQSIM_TESTS_CHILD_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace rmqsim::testing {

struct ChildOptions {
  // Working directory (default: the repository root, like ctest runs the suite).
  std::string cwd = RMQSIM_SOURCE_DIR;
  // Extra environment variables ("NAME=value"), added to (or replacing those of) the current one.
  std::vector<std::string> env;
  // RLIMIT_FSIZE in bytes (0: unchanged). With ignore_sigxfsz, writes past it fail with EFBIG
  // instead of killing the child: a disk filling up mid-write.
  rlim_t max_file_bytes = 0;
  bool ignore_sigxfsz = false;
  // Seconds of wall time before the child is killed (SIGKILL).
  int timeout_seconds = 120;
  // Milliseconds after the start at which `signal_to_send` is sent once (0: never): an
  // interrupted run (Ctrl-C, kill) at an arbitrary point.
  int signal_after_ms = 0;
  int signal_to_send = SIGTERM;
};

struct ChildResult {
  int exit_status = -1;  // when it exited, else -1
  int signal = 0;        // the signal that ended it, else 0
  bool timed_out = false;
  std::string out;       // standard output and standard error, interleaved
  long max_rss_kb = 0;   // peak resident memory (getrusage ru_maxrss)
  double max_rss_mb() const { return static_cast<double>(max_rss_kb) / 1024.0; }
};

inline ChildResult RunChild(const std::vector<std::string>& argv, const ChildOptions& opts = {}) {
  ChildResult result;
  int pipefd[2];
  if (pipe(pipefd) != 0) return result;
  pid_t pid = fork();
  if (pid < 0) return result;
  if (pid == 0) {
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    close(pipefd[0]);
    close(pipefd[1]);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    if (chdir(opts.cwd.c_str()) != 0) _exit(126);
    for (const std::string& e : opts.env) putenv(const_cast<char*>(e.c_str()));
    if (opts.max_file_bytes != 0) {
      rlimit rl{opts.max_file_bytes, opts.max_file_bytes};
      setrlimit(RLIMIT_FSIZE, &rl);
    }
    if (opts.ignore_sigxfsz) signal(SIGXFSZ, SIG_IGN);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(pipefd[1]);
  // Read until EOF, killing the child if it overruns its time.
  fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
  timeval start;
  gettimeofday(&start, nullptr);
  char buf[65536];
  bool signalled = false;
  for (;;) {
    ssize_t n = read(pipefd[0], buf, sizeof buf);
    if (n > 0) {
      if (result.out.size() < (64u << 20)) result.out.append(buf, static_cast<size_t>(n));
      if (opts.signal_after_ms == 0 || signalled) continue;
    }
    if (n == 0) break;
    timeval now;
    gettimeofday(&now, nullptr);
    long elapsed_ms = (now.tv_sec - start.tv_sec) * 1000L + (now.tv_usec - start.tv_usec) / 1000L;
    if (opts.signal_after_ms > 0 && elapsed_ms >= opts.signal_after_ms && !signalled) {
      kill(pid, opts.signal_to_send);
      signalled = true;
    }
    if (now.tv_sec - start.tv_sec > opts.timeout_seconds && !result.timed_out) {
      kill(pid, SIGKILL);
      result.timed_out = true;
    }
    usleep(2000);
  }
  close(pipefd[0]);
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  result.max_rss_kb = usage.ru_maxrss;
  if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

// rmqsim's memory budget for any input: 256 MB, or more under AddressSanitizer, whose shadow
// memory and quarantine are not rmqsim's.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr double kMemoryBudgetMb = 1024;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr double kMemoryBudgetMb = 1024;
#else
inline constexpr double kMemoryBudgetMb = 256;
#endif
#else
inline constexpr double kMemoryBudgetMb = 256;
#endif

}  // namespace rmqsim::testing

#endif  // RMQSIM_TESTS_CHILD_PROCESS_H_
