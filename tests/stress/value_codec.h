// How strata-stress names keys and builds values, so that any value read
// back can be checked on its own: it says which key and which write made it,
// and every byte of it follows from those two numbers.
//
//   key   = 'k' followed by the key index as 4 big-endian bytes (so keys hold
//           NUL bytes and sort by index)
//   value = key index (4 bytes) | value id (4 bytes) | 0..119 bytes derived
//           from (key index, value id)
//
// Value id 0 means "absent" (deleted or never written); a key's ids grow with
// each write to it, so an id names exactly one write.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::stress {

std::string EncodeKey(uint32_t index);
// The index of a key made by EncodeKey, or nullopt for anything else.
std::optional<uint32_t> DecodeKey(std::string_view key);

// REQUIRES: id != 0.
std::string EncodeValue(uint32_t index, uint32_t id);
// The id of a value made by EncodeValue for key `index`, or nullopt if the
// value is damaged, truncated, or belongs to another key.
std::optional<uint32_t> DecodeValue(uint32_t index, std::string_view value);

}  // namespace strata::stress
