#include "core/table/bloom_filter.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "core/checksum.h"

namespace strata {

namespace {

// A fixed seed so filters are reproducible across runs and builds; it differs
// from the block cache's sharding hash so the two never correlate.
constexpr uint64_t kBloomSeed = 0x9e3779b97f4a7c15ull;
constexpr int kMaxProbes = 30;
constexpr size_t kMinBits = 64;

uint64_t BloomHash(std::string_view key) { return Hash64(key, kBloomSeed); }

uint64_t ProbeDelta(uint64_t h) { return (h >> 32) | (h << 32); }

}  // namespace

int BloomProbesForBitsPerKey(int bits_per_key) {
  int k = static_cast<int>(std::lround(bits_per_key * 0.69314718055994530942));
  return std::clamp(k, 1, kMaxProbes);
}

BloomFilterBuilder::BloomFilterBuilder(int bits_per_key)
    : bits_per_key_(std::max(bits_per_key, 1)),
      num_probes_(BloomProbesForBitsPerKey(bits_per_key)) {
  assert(bits_per_key > 0);
}

void BloomFilterBuilder::AddKey(std::string_view user_key) {
  uint64_t h = BloomHash(user_key);
  // A table holds the versions of a user key next to each other, so the
  // previous hash is the only duplicate worth looking for.
  if (!hashes_.empty() && hashes_.back() == h) return;
  hashes_.push_back(h);
}

std::string BloomFilterBuilder::Finish() {
  // Small filters get a floor of bits: with a handful of keys the rate would
  // otherwise be far above the configured one.
  uint64_t bits = std::max<uint64_t>(uint64_t{hashes_.size()} * bits_per_key_, kMinBits);
  const uint64_t bytes = (bits + 7) / 8;
  bits = bytes * 8;

  std::string filter(bytes + 1, '\0');
  auto* array = reinterpret_cast<unsigned char*>(filter.data());
  for (uint64_t h : hashes_) {
    const uint64_t delta = ProbeDelta(h);
    for (int i = 0; i < num_probes_; ++i) {
      const uint64_t bit = h % bits;
      array[bit / 8] |= static_cast<unsigned char>(1u << (bit % 8));
      h += delta;
    }
  }
  filter[bytes] = static_cast<char>(num_probes_);
  hashes_.clear();
  return filter;
}

bool BloomFilterReader::KeyMayMatch(std::string_view user_key) const {
  if (filter_.size() < 2) return true;
  const int probes = static_cast<unsigned char>(filter_.back());
  if (probes < 1 || probes > kMaxProbes) return true;
  const uint64_t bits = uint64_t{filter_.size() - 1} * 8;
  const auto* array = reinterpret_cast<const unsigned char*>(filter_.data());

  uint64_t h = BloomHash(user_key);
  const uint64_t delta = ProbeDelta(h);
  for (int i = 0; i < probes; ++i) {
    const uint64_t bit = h % bits;
    if ((array[bit / 8] & (1u << (bit % 8))) == 0) return false;
    h += delta;
  }
  return true;
}

}  // namespace strata
