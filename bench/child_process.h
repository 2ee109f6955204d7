// child_process.h — runs one benchmark step in a child process: this same
// binary, re-executed with child arguments, its standard output on a pipe to
// the driver, its standard error shared (error messages, the progress line).
// Optionally the child joins a memory cgroup before it executes anything.
//
// The child dies with the driver (PR_SET_PDEATHSIG), so an interrupted run
// leaves no engine running behind.
//
// Thread safety: one owner; not shared between threads.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace strata_bench {

class MemoryCgroup;

class ChildProcess {
 public:
  // Starts `executable` with `args` (args[0] is the program name). With a
  // cgroup, the child joins it before exec. Throws BenchError if fork, pipe
  // or exec setup fails.
  ChildProcess(const std::string& executable, const std::vector<std::string>& args,
               const MemoryCgroup* cgroup);
  ~ChildProcess();  // kills and reaps a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of the child's stdout without its newline; false at end.
  bool read_line(std::string* line);
  // Sends SIGKILL.
  void kill_now();
  // The child's process id (-1 once reaped).
  pid_t pid() const { return pid_; }

  struct Exit {
    int status = 0;           // as from waitpid
    struct rusage usage {};   // the child's resource use (ru_maxrss: its peak RSS)
    std::string describe() const;  // "exit 0", "exit 3", "killed by signal 9"
    bool ok() const;
  };
  // Reads the rest of stdout (kept as remaining_output) and reaps the child.
  Exit wait();
  const std::string& remaining_output() const { return rest_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  std::string rest_;
};

// The absolute path of the running executable (/proc/self/exe resolved).
std::string self_executable();

}  // namespace strata_bench
