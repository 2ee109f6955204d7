// A bloom filter over a table's user keys: one filter per table, stored as
// the table's filter block, consulted before any data block is read.
//
// The filter is over USER keys, not internal keys, so that a point lookup,
// which knows only the user key and a snapshot, can ask it; all versions of a
// key share one entry.
//
// Layout of the finished bytes:
//   bits : ceil(num_keys * bits_per_key / 8) bytes (at least 8), the bit array
//   k    : 1 byte, the number of probes (1..30)
// Probe i of a key tests bit (h + i * delta) mod num_bits, where h is
// Hash64(key, kBloomSeed) and delta is h rotated by 32 bits (double hashing:
// Kirsch & Mitzenmacher show two hashes suffice for the textbook false-positive
// rate). With 10 bits per key, k = 7 and the rate is about 0.8%.
//
// A reader never returns a false negative for bytes a builder produced. For
// bytes it cannot interpret (too short, or a k above 30, reserved for other
// encodings) it answers "may match", which is always safe.
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

 private:
  std::string_view filter_;
};

// The number of probes for bits_per_key: round(bits_per_key * ln 2), which
// minimises the false-positive rate, clamped to 1..30.
int BloomProbesForBitsPerKey(int bits_per_key);

}  // namespace strata
