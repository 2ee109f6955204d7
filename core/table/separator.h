// Index keys: short internal keys that separate adjacent data blocks.
//
// The index block holds one entry per data block whose key K satisfies
//   last key of the block <= K < first key of the next block
// (internal-key order). Any such K routes a Seek correctly; a shorter one
// makes the index smaller, and the index of every open table is held in
// memory. When the user keys differ we look for a user key strictly between
// them that is shorter than the block's last user key, and pair it with the
// trailer (kMaxSequenceNumber, kValueKindForSeek), the smallest internal key
// of that user key. Otherwise the block's last key itself is used.
//
// Why a lookup stays exact: if a lookup key T falls after a block's last key
// but <= its separator K, then T's user key is <= K's user key, which is
// strictly below the next block's first user key, so T's user key is in
// neither block and "not found in this block" is the right answer.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace strata {

// REQUIRES: last and next are internal keys and last < next.
// Returns K with last <= K < next.
std::string IndexSeparator(std::string_view last, std::string_view next);

// REQUIRES: last is an internal key. Returns K >= last, for the final block,
// which has no next block to bound it.
std::string IndexSuccessor(std::string_view last);

}  // namespace strata
