// Internal keys: how strata orders every version of every user key.
//
// An internal key is the user key followed by an 8-byte little-endian trailer
// (sequence << 8 | kind). Internal keys order by user key ascending (bytewise,
// the only user order strata offers), then by sequence descending, so that
// the newest version of a key is met first. docs/FORMATS.md describes it.
//
// Thread safety: pure functions and values.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/coding.h"

namespace strata {

using SequenceNumber = uint64_t;

// Sequence numbers use the top 56 bits of the trailer.
inline constexpr SequenceNumber kMaxSequenceNumber = (uint64_t{1} << 56) - 1;

enum class ValueKind : unsigned char {
  kDeletion = 0,  // a tombstone
  kValue = 1,
};
// The kind used when seeking: with the descending-sequence order, the largest
// kind sorts first among equal (key, sequence).
inline constexpr ValueKind kValueKindForSeek = ValueKind::kValue;

inline constexpr size_t kInternalKeyTrailerBytes = 8;

inline uint64_t PackSequenceAndKind(SequenceNumber seq, ValueKind kind) {
  return (seq << 8) | static_cast<uint64_t>(kind);
}

void AppendInternalKey(std::string* dst, std::string_view user_key, SequenceNumber seq,
                       ValueKind kind);

// REQUIRES: internal_key.size() >= 8.
inline std::string_view ExtractUserKey(std::string_view internal_key) {
  return internal_key.substr(0, internal_key.size() - kInternalKeyTrailerBytes);
}
inline uint64_t ExtractTrailer(std::string_view internal_key) {
  return DecodeFixed64(internal_key.data() + internal_key.size() - kInternalKeyTrailerBytes);
}

struct ParsedInternalKey {
  std::string_view user_key;
  SequenceNumber sequence = 0;
  ValueKind kind = ValueKind::kValue;
};

// Returns false when the key is too short or its kind byte is unknown.
bool ParseInternalKey(std::string_view internal_key, ParsedInternalKey* out);

// Bytewise comparison of user keys.
inline int CompareUserKeys(std::string_view a, std::string_view b) { return a.compare(b); }

// The internal-key order described above.
inline int CompareInternalKeys(std::string_view a, std::string_view b) {
  int r = ExtractUserKey(a).compare(ExtractUserKey(b));
  if (r != 0) return r;
  uint64_t ta = ExtractTrailer(a);
  uint64_t tb = ExtractTrailer(b);
  if (ta > tb) return -1;
  if (ta < tb) return 1;
  return 0;
}

// A key to seek to: the first internal key of `user_key` visible at `seq`.
class LookupKey {
 public:
  LookupKey(std::string_view user_key, SequenceNumber seq) {
    AppendInternalKey(&rep_, user_key, seq, kValueKindForSeek);
  }
  std::string_view internal_key() const { return rep_; }
  std::string_view user_key() const { return ExtractUserKey(rep_); }
  SequenceNumber sequence() const { return ExtractTrailer(rep_) >> 8; }

 private:
  std::string rep_;
};

}  // namespace strata
