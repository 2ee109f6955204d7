// VectorIterator: an InternalIterator over a list of (key, value) pairs held
// in memory, for testing the iterators that combine others (merging, level,
// two-level) without building tables.
//
// Keys are compared as internal keys (CompareInternalKeys) unless the
// iterator is built with raw ordering, for index-style keys that are plain
// bytes. The entries are sorted on construction, so a test may list them in
// any order.
//
// Failure injection: FailAt(i) makes the iterator fail with the given status
// as soon as it is positioned on entry i (in sorted order), as a table does
// when it reaches a block that cannot be read: it becomes invalid and
// status() reports the error from then on.
//
// Thread safety: one thread at a time. Ownership: owns copies of its entries.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/dbformat.h"
#include "core/iterator.h"

namespace strata::test {

using Entries = std::vector<std::pair<std::string, std::string>>;

// An internal key for tests: user_key at sequence `seq` of `kind`.
std::string IKey(std::string_view user_key, SequenceNumber seq,
                 ValueKind kind = ValueKind::kValue);
// The key a Seek to `user_key` as of `seq` uses (LookupKey's): before every
// version of it visible at `seq`.
std::string SeekKey(std::string_view user_key, SequenceNumber seq = kMaxSequenceNumber);

class VectorIterator final : public InternalIterator {
 public:
  enum class Order { kInternalKey, kBytes };

  explicit VectorIterator(Entries entries, Order order = Order::kInternalKey);

  // After this, landing on sorted entry `index` fails with `error`.
  void FailAt(size_t index, Status error);

  bool Valid() const override;
  void SeekToFirst() override;
  void SeekToLast() override;
  void Seek(std::string_view target) override;
  void Next() override;
  void Prev() override;
  std::string_view key() const override;
  std::string_view value() const override;
  Status status() const override { return status_; }

  // How many times the iterator was positioned (seeks and steps): lets a
  // test see that a lazy caller never touched a child.
  int moves() const { return moves_; }

 private:
  int Compare(std::string_view a, std::string_view b) const;
  void Land(size_t index);  // position at index (size() = past the end)

  Entries entries_;
  Order order_;
  size_t pos_ = 0;
  bool valid_ = false;
  size_t fail_index_ = static_cast<size_t>(-1);
  Status fail_status_;
  Status status_;
  int moves_ = 0;
};

// The keys of `it` from its current position to the end, going forward.
std::vector<std::string> KeysForward(InternalIterator* it);
// The keys of `it` from its current position to the start, going backward.
std::vector<std::string> KeysBackward(InternalIterator* it);

}  // namespace strata::test
