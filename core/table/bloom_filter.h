// A bloom filter over a table's user keys: one filter per table, stored as
// the table's filter block, consulted before any data block is read.
//
// The filter is over USER keys, not internal keys, so that a point lookup,
// which knows only the user key and a snapshot, can ask it; all versions of a
// key share one entry.
//
// Layout written (cache-local): the bit array is cut into 64-byte lines, and
// all k probes of a key fall in one line, so a lookup costs one cache miss
// (when the reader keeps the filter 64-byte aligned, as TableReader does)
// instead of k, and no division:
//   lines  : num_lines * 64 bytes; num_lines = ceil(keys * bits_per_key / 512)
//   k      : 1 byte, the number of probes (1..30)
//   marker : 1 byte, 0xFF (kCacheLocalMarker)
// With h = Hash64(key, kBloomSeed), the line is (h >> 32) * num_lines >> 32
// (a multiply-shift, no modulo), and probe i tests bit b_i mod 512 of it,
// where b_0 is h's low 32 bits and b_{i+1} = b_i + (b_0 rotated by 17). Its
// false-positive rate is a little above a flat filter's (about 1% at 10 bits
// per key, against 0.8%): a line's load varies around the mean.
//
// Layout still read (flat, written before the cache-local one):
//   bits : ceil(num_keys * bits_per_key / 8) bytes (at least 8)
//   k    : 1 byte, 1..30; probe i tests bit (h + i * delta) mod num_bits,
//          delta being h rotated by 32 bits.
// The marker is above 30, so a reader that knows only the flat layout treats
// a cache-local filter as uninterpretable and answers "may match".
//
// A reader never returns a false negative for bytes a builder produced. For
// bytes it cannot interpret (too short, k of 0 or above 30, a bad length) it
// answers "may match", which is always safe.
//
// Thread safety: a builder belongs to one thread; a reader is immutable and
// may be used from many threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

class BloomFilterBuilder {
 public:
  // REQUIRES: bits_per_key > 0 (0 means "no filter": build none at all).
  explicit BloomFilterBuilder(int bits_per_key);

  // Keys may repeat; consecutive duplicates (the versions of one user key in
  // a sorted table) are stored once.
  void AddKey(std::string_view user_key);
  size_t num_keys() const { return hashes_.size(); }

  // Returns the filter over every key added since construction or the last
  // Finish, and starts over.
  std::string Finish();

 private:
  const int bits_per_key_;
  const int num_probes_;
  std::vector<uint64_t> hashes_;
};

class BloomFilterReader {
 public:
  // Borrows `filter`, which must outlive the reader.
  explicit BloomFilterReader(std::string_view filter) : filter_(filter) {}

  // False only if user_key was certainly never added.
  bool KeyMayMatch(std::string_view user_key) const;

  // Starts loading the memory KeyMayMatch(user_key) will read, without
  // waiting for it: a caller with many keys prefetches them all first, so
  // their cache misses overlap instead of running one after another.
  void Prefetch(std::string_view user_key) const;

 private:
  std::string_view filter_;
};

inline constexpr unsigned char kCacheLocalMarker = 0xFF;

// The number of probes for bits_per_key: round(bits_per_key * ln 2), which
// minimises the false-positive rate, clamped to 1..30.
int BloomProbesForBitsPerKey(int bits_per_key);

}  // namespace strata
