// memory_limit.h — how much memory this process may use: the machine's
// physical memory, or less when the process runs in a memory cgroup (a
// container, a systemd slice, the benchmark's cgroup) whose limit, or an
// ancestor's, is lower.
//
// Used to decide whether table files are small enough to be read through a
// mapping (Options::mmap_reads = auto): mapped pages are page cache charged
// to the cgroup, and once the tables outgrow what the process may keep in
// memory, faulting them in page by page costs more than reading blocks with
// pread.
//
// Thread safety: the functions keep no state; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

// The smallest of: physical memory, and the memory limits of this process's
// cgroup and each of its ancestors (cgroup v1's memory controller and cgroup
// v2's unified hierarchy, mounted at /sys/fs/cgroup as usual). Reads
// /proc/self/cgroup and the limit files each call.
uint64_t ProcessMemoryLimit();

// The same from given inputs, for tests: `proc_self_cgroup` is the text of
// /proc/self/cgroup, `cgroup_root` the directory where the hierarchies are
// mounted (v1 controllers in cgroup_root/memory, v2 at cgroup_root itself),
// `physical_bytes` the machine's memory. Paths or files that do not exist
// are skipped (inside a container the path named may not be visible; the
// container's own root still is); a limit that is "max" or larger than
// physical memory does not lower the result.
uint64_t MemoryLimitFrom(std::string_view proc_self_cgroup, const std::string& cgroup_root,
                         uint64_t physical_bytes);

}  // namespace strata
