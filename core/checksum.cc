#include "core/checksum.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace strata {

uint32_t Checksum32(const void* data, size_t n) {
  return static_cast<uint32_t>(XXH3_64bits(data, n));
}

uint32_t Checksum32Extend(const void* head, size_t head_len, const void* tail, size_t tail_len) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, head, head_len);
  XXH3_64bits_update(&state, tail, tail_len);
  return static_cast<uint32_t>(XXH3_64bits_digest(&state));
}

uint64_t Hash64(const void* data, size_t n, uint64_t seed) {
  return XXH3_64bits_withSeed(data, n, seed);
}

}  // namespace strata
