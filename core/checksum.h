// Checksums and hashes for on-disk records and in-memory structures, backed by
// xxHash (Debian's libxxhash-dev). Every persisted checksum in strata is
// Checksum32 of the bytes it protects; see docs/FORMATS.md.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata {

// The low 32 bits of XXH3-64 over the bytes. Stored in WAL, manifest and
// table block trailers.
uint32_t Checksum32(const void* data, size_t n);
inline uint32_t Checksum32(std::string_view s) { return Checksum32(s.data(), s.size()); }

// Continues a checksum over a second piece, as if the two were contiguous.
uint32_t Checksum32Extend(const void* head, size_t head_len, const void* tail, size_t tail_len);

// A 64-bit hash for bloom filters and cache sharding.
uint64_t Hash64(const void* data, size_t n, uint64_t seed = 0);
inline uint64_t Hash64(std::string_view s, uint64_t seed = 0) {
  return Hash64(s.data(), s.size(), seed);
}

}  // namespace strata
