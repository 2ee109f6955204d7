// An iterator over one level >= 1: its tables hold disjoint, ordered key
// ranges, so it walks them one after another, opening a table only when the
// walk reaches it.
//
// Thread safety: one thread at a time. Lifetime: holds its FileList (shared
// FileMetaData), so it may outlive the Version it came from; the table
// opener must keep whatever it captures alive.
#pragma once

#include <functional>
#include <memory>

#include "core/iterator.h"
#include "core/version/version.h"

namespace strata {

using TableIteratorFactory =
    std::function<std::unique_ptr<InternalIterator>(const FileMetaData& file)>;

std::unique_ptr<InternalIterator> NewLevelIterator(FileList files, TableIteratorFactory open_table);

}  // namespace strata
