#include "core/table/two_level_iterator.h"

#include <cassert>
#include <string>

namespace strata {

namespace {

class TwoLevelIterator final : public InternalIterator {
 public:
  TwoLevelIterator(std::unique_ptr<InternalIterator> index_iter, BlockIteratorFunction fn)
      : block_function_(std::move(fn)), index_iter_(std::move(index_iter)) {}

  bool Valid() const override { return status_.ok() && data_iter_ && data_iter_->Valid(); }
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
    index_iter_->Seek(target);
    InitDataBlock();
    if (data_iter_) data_iter_->Seek(target);
    SkipEmptyBlocksForward();
  }

  void SeekToFirst() override {
    if (!status_.ok()) return;
    index_iter_->SeekToFirst();
    InitDataBlock();
    if (data_iter_) data_iter_->SeekToFirst();
    SkipEmptyBlocksForward();
  }

  void SeekToLast() override {
    if (!status_.ok()) return;
    index_iter_->SeekToLast();
    InitDataBlock();
    if (data_iter_) data_iter_->SeekToLast();
    SkipEmptyBlocksBackward();
  }

  // A valid iterator has not failed (iterator.h), and the index iterator
  // does not move within a block: only a step off the block needs the error
  // checks and the move to the next block.
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
    if (status_.ok() && !index_iter_->status().ok()) status_ = index_iter_->status();
    if (status_.ok() && data_iter_ && !data_iter_->status().ok()) status_ = data_iter_->status();
    if (status_.ok()) return true;
    SetDataIterator(nullptr);
    return false;
  }

  void SkipEmptyBlocksForward() {
    while (CheckErrors() && (!data_iter_ || !data_iter_->Valid())) {
      if (!index_iter_->Valid()) {
        SetDataIterator(nullptr);
        return;
      }
      index_iter_->Next();
      InitDataBlock();
      if (data_iter_) data_iter_->SeekToFirst();
    }
  }

  void SkipEmptyBlocksBackward() {
    while (CheckErrors() && (!data_iter_ || !data_iter_->Valid())) {
      if (!index_iter_->Valid()) {
        SetDataIterator(nullptr);
        return;
      }
      index_iter_->Prev();
      InitDataBlock();
      if (data_iter_) data_iter_->SeekToLast();
    }
  }

  void SetDataIterator(std::unique_ptr<InternalIterator> iter) {
    data_iter_ = std::move(iter);
    if (!data_iter_) data_block_handle_.clear();
  }

  // Opens the block the index iterator points at, unless it is already open.
  void InitDataBlock() {
    if (!index_iter_->Valid()) {
      SetDataIterator(nullptr);
      return;
    }
    const std::string_view handle = index_iter_->value();
    if (data_iter_ && handle == data_block_handle_) return;
    SetDataIterator(block_function_(handle));
    data_block_handle_.assign(handle);
  }

  // Declared first so it is destroyed last: it may own what the index
  // iterator reads.
  BlockIteratorFunction block_function_;
  std::unique_ptr<InternalIterator> index_iter_;
  std::unique_ptr<InternalIterator> data_iter_;  // null when not on a block
  std::string data_block_handle_;                // the index value data_iter_ was made from
  Status status_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewTwoLevelIterator(std::unique_ptr<InternalIterator> index_iter,
                                                      BlockIteratorFunction block_function) {
  return std::make_unique<TwoLevelIterator>(std::move(index_iter), std::move(block_function));
}

}  // namespace strata

