#include "core/table/separator.h"

#include <algorithm>
#include <cassert>

#include "core/dbformat.h"

namespace strata {

namespace {

std::string WithSeekTrailer(std::string_view user_key) {
  std::string key;
  AppendInternalKey(&key, user_key, kMaxSequenceNumber, kValueKindForSeek);
  return key;
}

}  // namespace

std::string IndexSeparator(std::string_view last, std::string_view next) {
  assert(CompareInternalKeys(last, next) < 0);
  const std::string_view a = ExtractUserKey(last);
  const std::string_view b = ExtractUserKey(next);
  const size_t min_len = std::min(a.size(), b.size());
  size_t diff = 0;
  while (diff < min_len && a[diff] == b[diff]) ++diff;
  // One user key is a prefix of the other (or they are equal): nothing
  // shorter fits between them.
  if (diff >= min_len) return std::string(last);

  const auto a_byte = static_cast<unsigned char>(a[diff]);
  const auto b_byte = static_cast<unsigned char>(b[diff]);
  // a's prefix with its first differing byte bumped is > a and, when the
  // bumped byte is still below b's, < b.
  if (a_byte < 0xff && a_byte + 1 < b_byte && diff + 1 < a.size()) {
    std::string user(a.substr(0, diff + 1));
    user[diff] = static_cast<char>(a_byte + 1);
    std::string key = WithSeekTrailer(user);
    assert(CompareInternalKeys(last, key) < 0 && CompareInternalKeys(key, next) < 0);
    return key;
  }
  return std::string(last);
}

std::string IndexSuccessor(std::string_view last) {
  const std::string_view a = ExtractUserKey(last);
  // The first byte that can be bumped, bumped, with everything after it
  // dropped: the shortest user key greater than a with a's prefix.
  for (size_t i = 0; i < a.size(); ++i) {
    const auto byte = static_cast<unsigned char>(a[i]);
    if (byte != 0xff) {
      if (i + 1 == a.size()) break;  // no shorter than a itself
      std::string user(a.substr(0, i + 1));
      user[i] = static_cast<char>(byte + 1);
      return WithSeekTrailer(user);
    }
  }
  return std::string(last);
}

}  // namespace strata
