// Little-endian fixed-width and varint encodings used by every on-disk format
// (WAL records, write batches, blocks, the manifest). docs/FORMATS.md gives
// the byte layouts built from these.
//
// Thread safety: pure functions.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace strata {

inline void EncodeFixed32(char* dst, uint32_t v) { std::memcpy(dst, &v, 4); }
inline void EncodeFixed64(char* dst, uint64_t v) { std::memcpy(dst, &v, 8); }
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
static_assert(std::endian::native == std::endian::little,
              "strata's file formats are little-endian; add byte swaps for big-endian hosts");

void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);
void PutVarint32(std::string* dst, uint32_t v);
void PutVarint64(std::string* dst, uint64_t v);
// A varint32 length followed by the bytes.
void PutLengthPrefixed(std::string* dst, std::string_view value);

// Writes a varint into dst (which must have room for 10 bytes); returns the
// byte after it.
char* EncodeVarint32(char* dst, uint32_t v);
char* EncodeVarint64(char* dst, uint64_t v);
int VarintLength(uint64_t v);

// Each Get* consumes from the front of `input` and returns false, leaving
// `input` in an unspecified state, when the bytes are truncated or malformed.
bool GetFixed32(std::string_view* input, uint32_t* v);
bool GetFixed64(std::string_view* input, uint64_t* v);
bool GetVarint32(std::string_view* input, uint32_t* v);
bool GetVarint64(std::string_view* input, uint64_t* v);
bool GetLengthPrefixed(std::string_view* input, std::string_view* value);

// Pointer-based decoders for hot loops: return the byte after the varint, or
// nullptr when it does not end before `limit`.
const char* DecodeVarint32(const char* p, const char* limit, uint32_t* v);
const char* DecodeVarint64(const char* p, const char* limit, uint64_t* v);

}  // namespace strata
