// The internal-key order of dbformat.h: by user key (bytewise, unsigned),
// then newest first, then by kind, whatever the keys' lengths.
#include "core/dbformat.h"

#include <gtest/gtest.h>

#include <string>

namespace strata {
namespace {

TEST(DbFormatTest, InternalKeysOrderByUserKeyThenNewestFirst) {
  auto ikey = [](std::string_view user, SequenceNumber seq, ValueKind kind) {
    std::string k;
    AppendInternalKey(&k, user, seq, kind);
    return k;
  };
  const std::string user = "0000000000123456";
  EXPECT_LT(CompareInternalKeys(ikey(user, 9, ValueKind::kValue), ikey(user, 8, ValueKind::kValue)), 0);
  EXPECT_GT(CompareInternalKeys(ikey(user, 8, ValueKind::kValue), ikey(user, 9, ValueKind::kValue)), 0);
  EXPECT_LT(CompareInternalKeys(ikey(user, 5, ValueKind::kValue), ikey(user, 5, ValueKind::kDeletion)), 0);
  EXPECT_EQ(CompareInternalKeys(ikey(user, 5, ValueKind::kValue), ikey(user, 5, ValueKind::kValue)), 0);
  // The user key decides before any sequence: an older version of a smaller
  // key still comes first, including when one key is a prefix of the other.
  EXPECT_LT(CompareInternalKeys(ikey("0000000000123455", 1, ValueKind::kValue),
                                ikey(user, 100, ValueKind::kValue)), 0);
  EXPECT_LT(CompareInternalKeys(ikey("000000000012345", 1, ValueKind::kValue),
                                ikey(user, 100, ValueKind::kValue)), 0);
  EXPECT_GT(CompareInternalKeys(ikey(user + "\x80", 100, ValueKind::kValue),
                                ikey(user + "\x7f", 1, ValueKind::kValue)), 0);
}

}  // namespace
}  // namespace strata
