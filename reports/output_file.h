// Writing report files safely: to a temporary file beside the target, renamed into place only
// when complete, so an interrupted run never leaves a half-written report.
#ifndef RMQSIM_REPORTS_OUTPUT_FILE_H_
#define RMQSIM_REPORTS_OUTPUT_FILE_H_

#include <functional>
#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace rmqsim::reports {

// Calls `write` with a stream to "<path>.tmp-<pid>", then renames it to `path`. "-" writes to
// standard output. Returns an error naming the path if the file cannot be written, and leaves no
// temporary behind. A device, FIFO or socket (/dev/stdout, /dev/null) is written in place, never
// replaced; a symlink to a regular file stays a link (the file it names is replaced). A signal
// that ends the process mid-write (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGXFSZ, SIGPIPE; the first
// call installs the handler unless the signal is ignored) removes the temporary first; only
// SIGKILL or a crash can leave one, and never a partial `path`.
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::function<void(std::ostream&)>& write);

// True if `a` and `b` name the same existing file (an output must never overwrite an input).
bool SameFile(const std::string& a, const std::string& b);

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_OUTPUT_FILE_H_
