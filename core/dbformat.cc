#include "core/dbformat.h"

namespace strata {

void AppendInternalKey(std::string* dst, std::string_view user_key, SequenceNumber seq,
                       ValueKind kind) {
  dst->append(user_key.data(), user_key.size());
  PutFixed64(dst, PackSequenceAndKind(seq, kind));
}

bool ParseInternalKey(std::string_view internal_key, ParsedInternalKey* out) {
  if (internal_key.size() < kInternalKeyTrailerBytes) return false;
  uint64_t trailer = ExtractTrailer(internal_key);
  unsigned char kind = static_cast<unsigned char>(trailer & 0xff);
  if (kind > static_cast<unsigned char>(ValueKind::kValue)) return false;
  out->user_key = ExtractUserKey(internal_key);
  out->sequence = trailer >> 8;
  out->kind = static_cast<ValueKind>(kind);
  return true;
}

}  // namespace strata
