// A two-level iterator: walks an index whose values name blocks, and the
// entries of each block in turn. A table's iterator is one (index block ->
// data blocks); the same shape would serve a level of tables.
//
// Errors: when the index iterator or a block fails (an unreadable or corrupt
// block), the two-level iterator becomes invalid and status() reports the
// failure from then on. It never skips a bad block to carry on past it, so a
// scan never silently drops entries.
//
// Ownership: the iterator owns the index iterator, the function and the
// current block's iterator. What keeps the underlying data alive is theirs to
// hold: the table reader's function captures the reader's shared state, and
// each block iterator pins its block until the iterator moves off it.
//
// Thread safety: one thread at a time (InternalIterator).
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "core/iterator.h"

namespace strata {

// Given an index entry's value (an encoded block handle), returns an iterator
// over that block, or an iterator carrying the error that prevented opening
// it. Never returns null.
using BlockIteratorFunction =
    std::function<std::unique_ptr<InternalIterator>(std::string_view index_value)>;

// REQUIRES: the index iterator's keys bound its blocks: every key in block i
// is <= index key i, and > index key i-1.
std::unique_ptr<InternalIterator> NewTwoLevelIterator(std::unique_ptr<InternalIterator> index_iter,
                                                      BlockIteratorFunction block_function);

}  // namespace strata
