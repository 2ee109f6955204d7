#include "latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace strata_bench {

// Values < 2^kSubBits map to themselves. A larger value with its top bit at
// position p (p >= kSubBits) keeps its kSubBits leading bits m (2^(kSubBits-1)
// <= m < 2^kSubBits); its bucket is (p - kSubBits + 1) * 2^(kSubBits-1) + m.
unsigned LatencyHistogram::bucket_of(uint64_t nanos) {
  if (nanos < (uint64_t{1} << kSubBits)) return static_cast<unsigned>(nanos);
  unsigned top = 63 - static_cast<unsigned>(std::countl_zero(nanos));
  unsigned shift = top - kSubBits + 1;
  unsigned mantissa = static_cast<unsigned>(nanos >> shift);
  unsigned bucket = (shift << (kSubBits - 1)) + mantissa;
  return std::min(bucket, kBuckets - 1);
}

uint64_t LatencyHistogram::upper_bound_of(unsigned bucket) {
  if (bucket < (1u << kSubBits)) return bucket;
  unsigned shift = (bucket >> (kSubBits - 1)) - 1;
  uint64_t mantissa = bucket - (shift << (kSubBits - 1));
  return ((mantissa + 1) << shift) - 1;
}

void LatencyHistogram::record(uint64_t nanos) {
  ++buckets_[bucket_of(nanos)];
  ++count_;
  total_ += nanos;
  max_ = std::max(max_, nanos);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (unsigned i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  total_ += other.total_;
  max_ = std::max(max_, other.max_);
}

uint64_t LatencyHistogram::percentile_nanos(double q) const {
  if (count_ == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (unsigned i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(upper_bound_of(i), max_);
  }
  return max_;
}

}  // namespace strata_bench
