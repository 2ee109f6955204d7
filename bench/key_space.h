// key_space.h — the keys and values every engine is given, computed rather
// than stored, so the benchmark process holds no per-key memory (its RSS is
// part of what is measured).
//
// Keys are 16 bytes: the decimal digits of an even number, zero-padded
// ("0000000000000042"), so bytewise order is numeric order, fillseq writes
// them in sorted order, and key k of the data set is the number 2k. The odd
// numbers between them are the missing keys readmissing asks for: they fall
// inside every table's key range, so only bloom filters (not range checks)
// can answer them cheaply.
//
// Values are 100 bytes cut at a varying offset from a block of random bytes
// (incompressible, which does not matter with compression off but keeps the
// comparison honest should someone turn it on).
//
// Thread safety: every function here is pure or const; RandomStream and
// ValueSource objects belong to one thread each.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace strata_bench {

inline constexpr size_t kKeyBytes = 16;
inline constexpr size_t kValueBytes = 100;

// One key in a caller-owned buffer; view() is valid while the Key lives.
class Key {
 public:
  // Key k of the data set (present after a fill).
  static Key present(uint64_t k) { return Key(2 * k); }
  // The missing key just after present key k.
  static Key missing(uint64_t k) { return Key(2 * k + 1); }

  std::string_view view() const { return {bytes_.data(), bytes_.size()}; }

 private:
  explicit Key(uint64_t number);
  std::array<char, kKeyBytes> bytes_;
};

// splitmix64: a fast, well-mixed 64-bit generator; each thread seeds its own.
class RandomStream {
 public:
  explicit RandomStream(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform in [0, bound); bound > 0.
  uint64_t below(uint64_t bound);

 private:
  uint64_t state_;
};

// A bijection of [0, n) onto itself that looks random: fillrandom writes
// key permutation(i) for i = 0..n-1, so every key is written exactly once
// (the data set then holds exactly n keys) in a random order, without an
// n-element shuffle array in memory. A four-round Feistel network over the
// smallest power-of-two domain >= n, with cycle walking back into [0, n).
class Permutation {
 public:
  Permutation(uint64_t n, uint64_t seed);
  uint64_t at(uint64_t i) const;

 private:
  uint64_t n_;
  unsigned half_bits_;
  uint64_t half_mask_;
  std::array<uint64_t, 4> round_keys_;
};

// Values: views into a shared block of random bytes, valid while the
// ValueSource lives.
class ValueSource {
 public:
  explicit ValueSource(uint64_t seed);
  std::string_view next();

 private:
  std::vector<char> data_;
  size_t position_ = 0;
};

}  // namespace strata_bench
