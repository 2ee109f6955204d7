#include "value_codec.h"

namespace strata::stress {

namespace {

void PutBigEndian32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

uint32_t GetBigEndian32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

std::string EncodeKey(uint32_t index) {
  std::string key = "k";
  PutBigEndian32(&key, index);
  return key;
}

std::optional<uint32_t> DecodeKey(std::string_view key) {
  if (key.size() != 5 || key[0] != 'k') return std::nullopt;
  return GetBigEndian32(key.substr(1));
}

std::string EncodeValue(uint32_t index, uint32_t id) {
  std::string value;
  PutBigEndian32(&value, index);
  PutBigEndian32(&value, id);
  uint64_t state = (static_cast<uint64_t>(index) << 32) | id;
  const size_t body = SplitMix64(&state) % 120;
  for (size_t i = 0; i < body; i += 8) {
    uint64_t word = SplitMix64(&state);
    for (size_t b = 0; b < 8 && i + b < body; ++b) value.push_back(static_cast<char>(word >> (8 * b)));
  }
  return value;
}

std::optional<uint32_t> DecodeValue(uint32_t index, std::string_view value) {
  if (value.size() < 8 || GetBigEndian32(value) != index) return std::nullopt;
  const uint32_t id = GetBigEndian32(value.substr(4));
  if (id == 0 || EncodeValue(index, id) != value) return std::nullopt;
  return id;
}

}  // namespace strata::stress
