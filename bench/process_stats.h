// process_stats.h — what a benchmark child measures about itself and its
// database directory: bytes written to storage, peak memory, directory size.
//
// Thread safety: every function may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

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

// Peak resident set size of this process so far (getrusage ru_maxrss). It
// counts the file pages the process maps: with tables read through mmap
// (strata's mmap_reads, LevelDB's default), the page cache of every table
// block read so far.
uint64_t peak_rss_bytes();

// RssAnon of /proc/self/status: the memory the process itself allocated
// (heap, stacks, anonymous maps), without the file pages it maps. 0 when
// unavailable.
uint64_t anon_rss_bytes();

// The peak of anon_rss_bytes while it lives, sampled every 10 ms by a thread
// of its own (the kernel keeps no peak of it). Not copyable.
class AnonRssPeak {
 public:
  AnonRssPeak();
  ~AnonRssPeak();
  AnonRssPeak(const AnonRssPeak&) = delete;
  AnonRssPeak& operator=(const AnonRssPeak&) = delete;
  // The largest sample so far, this moment's included.
  uint64_t peak_bytes();

 private:
  void Sample();

  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::atomic<uint64_t> peak_{0};
  std::thread sampler_;
};

// The sum of the sizes of the regular files under `dir` (recursively) whose
// names end in `suffix` ("" for all). Throws BenchError if `dir` cannot be
// listed.
uint64_t directory_bytes(const std::string& dir, const std::string& suffix = "");

}  // namespace strata_bench
