// A merge of several sorted internal iterators into one sorted stream.
//
// Equal keys never occur across children (every internal key carries a
// unique sequence number), so no tie-breaking rule is needed. Works in both
// directions; on a change of direction every child is repositioned around
// the current key, as a merge must.
//
// Thread safety: one thread at a time. Ownership: owns its children.
#pragma once

#include <memory>
#include <vector>

#include "core/iterator.h"

namespace strata {

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children);

}  // namespace strata
