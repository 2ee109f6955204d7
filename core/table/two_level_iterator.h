// TwoLevelIterator: walks an index whose values name blocks, and the entries
// of each block in turn. A table's iterator is one (index block -> data
// blocks, table_reader.cc).
//
// The part that knows the blocks is the template argument, held inside the
// iterator together with the index's and the current block's iterators, so
// that with final iterator classes every step is a direct call and moving to
// the next block allocates nothing of its own (a table's iterator reads a
// mapped block where it lies, and pins a cached one). `Blocks` provides:
//   using DataIterator = ...;  an InternalIterator over one block
//   index();  a reference to the index, an InternalIterator whose values
//       name blocks
//   Status Open(std::string_view index_value, std::optional<DataIterator>* block);
//       constructs in *block (empty on entry) an iterator over the block the
//       index value names, or returns why it cannot
//   void Release();  drops what the last Open pinned; called once that
//       block's iterator is destroyed, and before the next Open (also when
//       nothing is pinned)
//
// Errors: when the index or a block fails (an unreadable or corrupt block),
// the iterator becomes invalid and status() reports the failure from then
// on. It never skips a bad block to carry on past it, so a scan never
// silently drops entries.
//
// Ownership: the iterator owns `Blocks` and the iterators; what keeps the
// underlying bytes alive is for `Blocks` to hold.
//
// Thread safety: one thread at a time (InternalIterator).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/iterator.h"

namespace strata {

// REQUIRES: the index iterator's keys bound its blocks: every key in block i
// is <= index key i, and > index key i-1.
template <typename Blocks>
class TwoLevelIterator final : public InternalIterator {
 public:
  using DataIterator = typename Blocks::DataIterator;

  // Constructs the Blocks from args.
  template <typename... Args>
  explicit TwoLevelIterator(std::in_place_t, Args&&... args)
      : blocks_(std::forward<Args>(args)...) {}
  ~TwoLevelIterator() override { SetNoBlock(); }

  // A block iterator on a block is there only while nothing has failed.
  bool Valid() const override { return data_iter_.has_value() && data_iter_->Valid(); }
  std::string_view key() const override {
    assert(Valid());
    return data_iter_->key();
  }
  std::string_view value() const override {
    assert(Valid());
    return data_iter_->value();
  }
  Status status() const override { return status_; }

  void Seek(std::string_view target) override {
    if (!status_.ok()) return;
    blocks_.index().Seek(target);
    InitDataBlock();
    if (data_iter_) data_iter_->Seek(target);
    SkipEmptyBlocksForward();
  }

  void SeekToFirst() override {
    if (!status_.ok()) return;
    blocks_.index().SeekToFirst();
    InitDataBlock();
    if (data_iter_) data_iter_->SeekToFirst();
    SkipEmptyBlocksForward();
  }

  void SeekToLast() override {
    if (!status_.ok()) return;
    blocks_.index().SeekToLast();
    InitDataBlock();
    if (data_iter_) data_iter_->SeekToLast();
    SkipEmptyBlocksBackward();
  }

  // A valid iterator has not failed, and the index iterator does not move
  // within a block: only a step off the block needs the error checks and
  // the move to the next block.
  void Next() override {
    assert(Valid());
    data_iter_->Next();
    if (data_iter_->Valid()) return;
    SkipEmptyBlocksForward();
  }

  void Prev() override {
    assert(Valid());
    data_iter_->Prev();
    if (data_iter_->Valid()) return;
    SkipEmptyBlocksBackward();
  }

 private:
  // Records the first failure among the index and the current block; once
  // one is recorded the iterator stays invalid.
  bool CheckErrors() {
    if (status_.ok() && !blocks_.index().status().ok()) status_ = blocks_.index().status();
    if (status_.ok() && data_iter_ && !data_iter_->status().ok()) status_ = data_iter_->status();
    if (status_.ok()) return true;
    SetNoBlock();
    return false;
  }

  void SkipEmptyBlocksForward() {
    while (CheckErrors() && (!data_iter_ || !data_iter_->Valid())) {
      if (!blocks_.index().Valid()) {
        SetNoBlock();
        return;
      }
      blocks_.index().Next();
      InitDataBlock();
      if (data_iter_) data_iter_->SeekToFirst();
    }
  }

  void SkipEmptyBlocksBackward() {
    while (CheckErrors() && (!data_iter_ || !data_iter_->Valid())) {
      if (!blocks_.index().Valid()) {
        SetNoBlock();
        return;
      }
      blocks_.index().Prev();
      InitDataBlock();
      if (data_iter_) data_iter_->SeekToLast();
    }
  }

  void SetNoBlock() {
    data_iter_.reset();
    blocks_.Release();  // after the iterator that reads what it pins
    data_block_handle_.clear();
  }

  // Opens the block the index iterator points at, unless it is already
  // open. A failure to open it is recorded in status_.
  void InitDataBlock() {
    if (!blocks_.index().Valid()) {
      SetNoBlock();
      return;
    }
    const std::string_view handle = blocks_.index().value();
    if (data_iter_ && handle == data_block_handle_) return;
    SetNoBlock();
    Status s = blocks_.Open(handle, &data_iter_);
    if (!s.ok()) {
      if (status_.ok()) status_ = std::move(s);
      SetNoBlock();
      return;
    }
    data_block_handle_.assign(handle);
  }

  // Declared first so that it is destroyed last: it owns the index and
  // what the block iterator reads.
  Blocks blocks_;
  std::optional<DataIterator> data_iter_;  // empty when not on a block
  std::string data_block_handle_;          // the index value data_iter_ was opened from
  Status status_;
};

}  // namespace strata
