// ProcessDir: a scratch directory for fuzz targets that need real files,
// one per process, named <parent>/<prefix><pid> under /dev/shm (a tmpfs:
// real files and fsyncs without wearing a disk) when it is usable, else under
// $TMPDIR or /tmp.
//
// A fuzzer killed by a crash, a timeout or a signal cannot clean up after
// itself, so making one first removes the directories with the same prefix
// whose process no longer exists; a process that exits normally removes its
// own (RemoveProcessDir, from an atexit handler).
//
// Thread safety: call from one thread (LLVMFuzzerInitialize).
#pragma once

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "fuzz/fuzz_check.h"

namespace strata::fuzz {

inline std::string ScratchParent() {
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) {
    return "/dev/shm";
  }
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

// Creates (empty) and returns this process's directory for `prefix`.
inline std::string MakeProcessDir(const std::string& prefix) {
  const std::string parent = ScratchParent();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    // Signal 0 only asks whether the process exists.
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::filesystem::remove_all(entry.path(), ec);
    }
  }
  const std::string dir = parent + "/" + prefix + std::to_string(::getpid());
  std::filesystem::remove_all(dir, ec);
  FUZZ_CHECK(std::filesystem::create_directory(dir, ec), "cannot create %s", dir.c_str());
  return dir;
}

inline void RemoveProcessDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace strata::fuzz
