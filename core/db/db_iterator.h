// Iterator: the user-facing cursor over user keys.
//
// It reads a merged stream of internal entries as of one sequence number,
// shows only the newest visible version of each user key, hides tombstones
// and the versions a range tombstone covers (range_tombstone.h), and stays inside [lower, upper). It moves both ways: going forward it sits
// on the internal entry it shows; going backward it must read past every
// version of a key before it knows which one is visible, so it sits just
// before the key's entries and shows a saved copy.
//
// Thread safety: one thread at a time. Lifetime: key() and value() are valid
// until the iterator moves; the iterator keeps alive everything it reads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/dbformat.h"
#include "core/iterator.h"
#include "core/range_tombstone.h"

namespace strata {

class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual bool Valid() const = 0;
  // Positions at the first key >= the lower bound.
  virtual void SeekToFirst() = 0;
  // Positions at the last key < the upper bound.
  virtual void SeekToLast() = 0;
  // Positions at the first key >= max(user_key, lower bound).
  virtual void Seek(std::string_view user_key) = 0;
  // Positions at the last key <= user_key (and < the upper bound).
  virtual void SeekForPrev(std::string_view user_key) = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  // REQUIRES: Valid().
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<InternalIterator> internal,
                                        SequenceNumber sequence,
                                        std::shared_ptr<const RangeTombstoneSet> range_deletions,
                                        std::optional<std::string> lower,
                                        std::optional<std::string> upper);

}  // namespace strata
