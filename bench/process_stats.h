// process_stats.h — what a benchmark child measures about itself and its
// database directory: bytes written to storage, peak memory, directory size.
//
// Thread safety: every function may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace strata_bench {

// Monotonic time in nanoseconds.
uint64_t now_nanos();

// write_bytes of /proc/self/io: the bytes this process (all its threads)
// caused to be sent to storage, counted when page-cache pages are dirtied —
// so a write that is later overwritten in the cache counts once per time the
// page goes from clean to dirty. Empty when the kernel does not provide it
// (no task I/O accounting).
std::optional<uint64_t> process_write_bytes();

// read_bytes of /proc/self/io: the bytes this process caused to be read from
// storage (page-cache misses, readahead included). Empty when unavailable.
std::optional<uint64_t> process_read_bytes();

// Peak resident set size of this process so far (getrusage ru_maxrss).
uint64_t peak_rss_bytes();

// The sum of the sizes of the regular files under `dir` (recursively) whose
// names end in `suffix` ("" for all). Throws BenchError if `dir` cannot be
// listed.
uint64_t directory_bytes(const std::string& dir, const std::string& suffix = "");

}  // namespace strata_bench
