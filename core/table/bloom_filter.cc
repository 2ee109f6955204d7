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

uint64_t BloomHash(std::string_view key) { return Hash64(key, kBloomSeed); }

uint64_t ProbeDelta(uint64_t h) { return (h >> 32) | (h << 32); }

constexpr uint64_t kLineBytes = 64;
constexpr uint32_t kLineBits = 512;

// The line of a hash: its high 32 bits scaled to [0, lines) by a
// multiply-shift, which needs no division.
uint64_t LineOf(uint64_t h, uint64_t lines) { return ((h >> 32) * lines) >> 32; }

uint32_t Rotate17(uint32_t b) { return (b >> 17) | (b << 15); }

// The flat layout (see the header): k probes over the whole array.
bool FlatMayMatch(const unsigned char* array, size_t size, uint64_t h) {
  const int probes = array[size - 1];
  if (probes < 1 || probes > kMaxProbes) return true;
  const uint64_t bits = uint64_t{size - 1} * 8;
  const uint64_t delta = ProbeDelta(h);
  for (int i = 0; i < probes; ++i) {
    const uint64_t bit = h % bits;
    if ((array[bit / 8] & (1u << (bit % 8))) == 0) return false;
    h += delta;
  }
  return true;
}

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
  // Small filters get a floor of one line: with a handful of keys the rate
  // would otherwise be far above the configured one.
  const uint64_t want_bits = std::max<uint64_t>(uint64_t{hashes_.size()} * bits_per_key_, kLineBits);
  const uint64_t lines = (want_bits + kLineBits - 1) / kLineBits;
  std::string filter(lines * kLineBytes + 2, '\0');
  auto* array = reinterpret_cast<unsigned char*>(filter.data());
  for (uint64_t h : hashes_) {
    unsigned char* line = array + LineOf(h, lines) * kLineBytes;
    uint32_t b = static_cast<uint32_t>(h);
    const uint32_t delta = Rotate17(b);
    for (int i = 0; i < num_probes_; ++i) {
      const uint32_t bit = b & (kLineBits - 1);
      line[bit / 8] |= static_cast<unsigned char>(1u << (bit % 8));
      b += delta;
    }
  }
  filter[filter.size() - 2] = static_cast<char>(num_probes_);
  filter[filter.size() - 1] = static_cast<char>(kCacheLocalMarker);
  hashes_.clear();
  return filter;
}

void BloomFilterReader::Prefetch(std::string_view user_key) const {
  if (filter_.size() < 2 || static_cast<unsigned char>(filter_.back()) != kCacheLocalMarker) {
    return;  // flat filters touch k places; not worth it
  }
  const size_t body = filter_.size() - 2;
  if (body == 0 || body % kLineBytes != 0) return;
  __builtin_prefetch(filter_.data() + LineOf(BloomHash(user_key), body / kLineBytes) * kLineBytes);
}

bool BloomFilterReader::KeyMayMatch(std::string_view user_key) const {
  if (filter_.size() < 2) return true;
  const auto* array = reinterpret_cast<const unsigned char*>(filter_.data());
  const uint64_t h = BloomHash(user_key);
  if (static_cast<unsigned char>(filter_.back()) == kCacheLocalMarker) {
    const int probes = static_cast<unsigned char>(filter_[filter_.size() - 2]);
    const size_t body = filter_.size() - 2;
    if (probes < 1 || probes > kMaxProbes || body == 0 || body % kLineBytes != 0) return true;
    const unsigned char* line = array + LineOf(h, body / kLineBytes) * kLineBytes;
    uint32_t b = static_cast<uint32_t>(h);
    const uint32_t delta = Rotate17(b);
    for (int i = 0; i < probes; ++i) {
      const uint32_t bit = b & (kLineBits - 1);
      if ((line[bit / 8] & (1u << (bit % 8))) == 0) return false;
      b += delta;
    }
    return true;
  }
  return FlatMayMatch(array, filter_.size(), h);
}

}  // namespace strata
