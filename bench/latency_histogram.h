// latency_histogram.h — per-operation latencies in constant memory.
//
// Log-linear buckets: values below 2^kSubBits nanoseconds are exact; above,
// each power of two is split into 2^(kSubBits-1) equal buckets, so a reported
// percentile is within 1/64 (1.6%) of the true value. Percentiles report a
// bucket's upper bound. The buckets cover every 64-bit value (about 30 KiB).
//
// Thread safety: none; each thread records into its own histogram and the
// owner merges them after joining the threads.
#pragma once

#include <array>
#include <cstdint>

namespace strata_bench {

class LatencyHistogram {
 public:
  void record(uint64_t nanos);
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t max_nanos() const { return max_; }
  uint64_t total_nanos() const { return total_; }
  // The smallest recorded bound b such that a fraction q of samples are <= b;
  // q in [0, 1]. 0 when empty.
  uint64_t percentile_nanos(double q) const;

 private:
  static constexpr unsigned kSubBits = 7;
  static constexpr unsigned kBuckets = (64 - kSubBits + 2) << (kSubBits - 1);
  static unsigned bucket_of(uint64_t nanos);
  static uint64_t upper_bound_of(unsigned bucket);

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
  uint64_t total_ = 0;
};

}  // namespace strata_bench
