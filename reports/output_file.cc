#include "reports/output_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

namespace rmqsim::reports {
namespace {

// The temporary file being written, so that a signal that ends the process (Ctrl-C, kill, the
// file size limit) removes it instead of leaving it beside the target. Only async-signal-safe
// operations touch it from the handler: a fixed buffer and a flag.
char pending_tmp[4096];
volatile sig_atomic_t pending_set = 0;

extern "C" void RemovePendingAndDie(int sig) {
  if (pending_set) ::unlink(pending_tmp);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Installs the handler for the signals whose default action ends the process, unless the
// process was started with the signal ignored (nohup, a CI runner): that choice is kept.
void InstallCleanupHandlers() {
  static const bool installed = [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGXFSZ, SIGPIPE}) {
      struct sigaction old {};
      if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;
      struct sigaction sa {};
      sa.sa_handler = RemovePendingAndDie;
      sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
    return true;
  }();
  (void)installed;
}

void SetPending(const std::string& tmp) {
  if (tmp.size() >= sizeof(pending_tmp)) return;  // not removable on a signal; still renamed
  pending_set = 0;
  std::memcpy(pending_tmp, tmp.c_str(), tmp.size() + 1);
  pending_set = 1;
}

void ClearPending() { pending_set = 0; }

absl::Status WriteInPlace(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    return absl::FailedPreconditionError(path + ": cannot write file: " + std::strerror(errno));
  }
  write(out);
  out.close();
  if (out.fail()) return absl::FailedPreconditionError(path + ": write failed");
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path,
                                 const std::function<void(std::ostream&)>& write) {
  if (path == "-") {
    write(std::cout);
    std::cout.flush();
    return std::cout ? absl::OkStatus() : absl::InternalError("cannot write to standard output");
  }
  // What `path` names decides how to write it. A device, FIFO or socket (/dev/stdout, /dev/null,
  // a pipe; also through a symlink) is written in place: there is no file to replace, and a
  // rename would put a regular file where the device was. A symlink to a regular file keeps
  // the link: the file it points to is replaced, its temporary beside it.
  std::string target = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return WriteInPlace(path, write);
    if (S_ISREG(st.st_mode)) {
      if (char* real = ::realpath(path.c_str(), nullptr)) {
        target = real;
        std::free(real);
      }
    }
  }
  InstallCleanupHandlers();
  std::string tmp = target + ".tmp-" + std::to_string(::getpid());
  SetPending(tmp);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      int e = errno;
      ClearPending();
      return absl::FailedPreconditionError(path + ": cannot write file: " + std::strerror(e));
    }
    write(out);
    out.close();  // flushes; a failure to flush or close (disk full, file size limit) shows here
    if (out.fail()) {
      std::remove(tmp.c_str());
      ClearPending();
      return absl::FailedPreconditionError(path + ": write failed");
    }
  }
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    int e = errno;
    std::remove(tmp.c_str());
    ClearPending();
    return absl::FailedPreconditionError(path + ": cannot rename into place: " + std::strerror(e));
  }
  ClearPending();
  return absl::OkStatus();
}

bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace rmqsim::reports
