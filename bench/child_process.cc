#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "engine.h"
#include "memory_cgroup.h"

namespace strata_bench {
namespace {

// Only async-signal-safe calls between fork and exec.
void child_fail(const char* what) {
  const char* reason = strerror(errno);
  const char* prefix = "strata-bench child: ";
  (void)!write(STDERR_FILENO, prefix, strlen(prefix));
  (void)!write(STDERR_FILENO, what, strlen(what));
  (void)!write(STDERR_FILENO, ": ", 2);
  (void)!write(STDERR_FILENO, reason, strlen(reason));
  (void)!write(STDERR_FILENO, "\n", 1);
  _exit(127);
}

}  // namespace

std::string self_executable() {
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n < 0) throw BenchError(std::string("readlink /proc/self/exe: ") + std::strerror(errno));
  return std::string(path, static_cast<size_t>(n));
}

ChildProcess::ChildProcess(const std::string& executable, const std::vector<std::string>& args,
                           const MemoryCgroup* cgroup) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw BenchError(std::string("pipe: ") + std::strerror(errno));
  // Everything the child needs, prepared before fork (no allocation after).
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::string procs = cgroup ? cgroup->procs_path() : std::string();
  pid_t parent = getpid();

  pid_ = fork();
  if (pid_ < 0) {
    int e = errno;
    close(fds[0]);
    close(fds[1]);
    throw BenchError(std::string("fork: ") + std::strerror(e));
  }
  if (pid_ == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail("prctl");
    if (getppid() != parent) _exit(127);  // the driver is already gone
    if (!procs.empty()) {
      int fd = open(procs.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) child_fail("open cgroup.procs");
      char pid_text[24];
      int len = 0;
      for (pid_t p = getpid(); p > 0; p /= 10) pid_text[len++] = static_cast<char>('0' + p % 10);
      for (int i = 0; i < len / 2; ++i) std::swap(pid_text[i], pid_text[len - 1 - i]);
      if (write(fd, pid_text, static_cast<size_t>(len)) != len) child_fail("join memory cgroup");
      close(fd);
    }
    if (dup2(fds[1], STDOUT_FILENO) < 0) child_fail("dup2");
    execv(executable.c_str(), argv.data());
    child_fail("exec");
  }
  close(fds[1]);
  out_fd_ = fds[0];
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

bool ChildProcess::read_line(std::string* line) {
  for (;;) {
    size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      *line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return true;
    }
    char chunk[4096];
    ssize_t n = read(out_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (buffer_.empty()) return false;
      *line = std::move(buffer_);
      buffer_.clear();
      return true;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

void ChildProcess::kill_now() {
  if (pid_ > 0) kill(pid_, SIGKILL);
}

ChildProcess::Exit ChildProcess::wait() {
  rest_ = std::move(buffer_);
  buffer_.clear();
  char chunk[4096];
  for (;;) {
    ssize_t n = read(out_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    rest_.append(chunk, static_cast<size_t>(n));
  }
  Exit exit;
  while (wait4(pid_, &exit.status, 0, &exit.usage) < 0) {
    if (errno != EINTR) throw BenchError(std::string("wait4: ") + std::strerror(errno));
  }
  pid_ = -1;
  return exit;
}

bool ChildProcess::Exit::ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

std::string ChildProcess::Exit::describe() const {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return "killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "status " + std::to_string(status);
}

}  // namespace strata_bench
