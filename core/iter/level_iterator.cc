#include "core/iter/level_iterator.h"

#include <algorithm>

#include "core/dbformat.h"

namespace strata {

namespace {

class LevelIterator final : public InternalIterator {
 public:
  LevelIterator(FileList files, TableIteratorFactory open_table)
      : files_(std::move(files)), open_table_(std::move(open_table)) {}

  bool Valid() const override { return table_ != nullptr && table_->Valid(); }

  void SeekToFirst() override {
    OpenTable(0);
    if (table_) table_->SeekToFirst();
    SkipEmptyForward();
  }

  void SeekToLast() override {
    OpenTable(files_.empty() ? 0 : files_.size() - 1);
    if (table_) table_->SeekToLast();
    SkipEmptyBackward();
  }

  void Seek(std::string_view target) override {
    // The first table whose largest key is >= target.
    auto it = std::lower_bound(files_.begin(), files_.end(), target,
                               [](const std::shared_ptr<FileMetaData>& f, std::string_view t) {
                                 return CompareInternalKeys(f->largest, t) < 0;
                               });
    OpenTable(static_cast<size_t>(it - files_.begin()));
    if (table_) table_->Seek(target);
    SkipEmptyForward();
  }

  void Next() override {
    table_->Next();
    SkipEmptyForward();
  }

  void Prev() override {
    table_->Prev();
    SkipEmptyBackward();
  }

  std::string_view key() const override { return table_->key(); }
  std::string_view value() const override { return table_->value(); }
  Status status() const override { return table_ ? table_->status() : Status::OK(); }

 private:
  // Opens files_[index], or clears table_ when index is out of range.
  void OpenTable(size_t index) {
    if (index >= files_.size()) {
      table_.reset();
      index_ = files_.size();
      return;
    }
    if (table_ && index_ == index) return;
    index_ = index;
    table_ = open_table_(*files_[index]);
  }

  void SkipEmptyForward() {
    while (table_ && !table_->Valid() && table_->status().ok()) {
      if (index_ + 1 >= files_.size()) {
        table_.reset();
        return;
      }
      OpenTable(index_ + 1);
      table_->SeekToFirst();
    }
  }

  void SkipEmptyBackward() {
    while (table_ && !table_->Valid() && table_->status().ok()) {
      if (index_ == 0) {
        table_.reset();
        return;
      }
      OpenTable(index_ - 1);
      table_->SeekToLast();
    }
  }

  FileList files_;
  TableIteratorFactory open_table_;
  size_t index_ = 0;
  std::unique_ptr<InternalIterator> table_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewLevelIterator(FileList files, TableIteratorFactory open_table) {
  return std::make_unique<LevelIterator>(std::move(files), std::move(open_table));
}

}  // namespace strata
