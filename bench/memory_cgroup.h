// memory_cgroup.h — a cgroup v1 memory cgroup, made under the cgroup this
// process is in, that caps a benchmark child's memory: its anonymous memory
// and the page cache its reads and writes bring in (so a data set many times
// larger than the limit really has to come from disk).
//
// The directory is <memory controller mount>/<this process's memory cgroup
// path>/<name>; creating it needs write access there (root, usually).
// Destroying it first empties it (memory.force_empty: the page cache charged
// to it is dropped, so the next child starts as cold as this one did), then
// removes it.
//
// Thread safety: one owner; not shared between threads.
#pragma once

#include <cstdint>
#include <string>

namespace strata_bench {

class MemoryCgroup {
 public:
  // Throws BenchError saying why when the cgroup cannot be made (no cgroup
  // v1 memory controller, no permission, ...).
  MemoryCgroup(const std::string& name, uint64_t limit_bytes);
  ~MemoryCgroup();
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;

  // The file a process writes its pid to in order to join.
  std::string procs_path() const { return dir_ + "/cgroup.procs"; }
  const std::string& dir() const { return dir_; }
  // Peak charge (anonymous memory and page cache) since creation.
  uint64_t max_usage_bytes() const;
  // How many times a task was killed by this cgroup's OOM killer (0 on
  // kernels that do not count it).
  uint64_t oom_kills() const;

  // The memory cgroup directory of this process (for messages and checks).
  static std::string current_cgroup_dir();

 private:
  std::string dir_;
};

}  // namespace strata_bench
