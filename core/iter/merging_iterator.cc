#include "core/iter/merging_iterator.h"

#include "core/dbformat.h"

namespace strata {

namespace {

// Children are few (memtables, L0 tables, one per deeper level), so a linear
// scan for the smallest key is simpler than a heap and as fast at this size.
class MergingIterator final : public InternalIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<InternalIterator>> children)
      : children_(std::move(children)) {}

  bool Valid() const override { return current_ != nullptr; }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    direction_ = kForward;
    FindSmallest();
  }

  void SeekToLast() override {
    for (auto& c : children_) c->SeekToLast();
    direction_ = kReverse;
    FindLargest();
  }

  void Seek(std::string_view target) override {
    for (auto& c : children_) c->Seek(target);
    direction_ = kForward;
    FindSmallest();
  }

  void Next() override {
    if (direction_ != kForward) {
      // Every other child must be positioned after key().
      std::string key(current_->key());
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->Seek(key);
        if (c->Valid() && CompareInternalKeys(key, c->key()) == 0) c->Next();
      }
      direction_ = kForward;
    }
    current_->Next();
    FindSmallest();
  }

  void Prev() override {
    if (direction_ != kReverse) {
      // Every other child must be positioned before key().
      std::string key(current_->key());
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->Seek(key);
        if (c->Valid()) {
          c->Prev();
        } else if (c->status().ok()) {
          c->SeekToLast();
        }
      }
      direction_ = kReverse;
    }
    current_->Prev();
    FindLargest();
  }

  std::string_view key() const override { return current_->key(); }
  std::string_view value() const override { return current_->value(); }

  Status status() const override {
    for (const auto& c : children_) {
      Status s = c->status();
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

 private:
  enum Direction { kForward, kReverse };

  // A child that failed ends the merge: continuing would silently skip its
  // keys and return a wrong stream.
  bool AnyChildFailed() const {
    for (const auto& c : children_) {
      if (!c->Valid() && !c->status().ok()) return true;
    }
    return false;
  }

  void FindSmallest() {
    current_ = nullptr;
    if (AnyChildFailed()) return;
    for (auto& c : children_) {
      if (c->Valid() && (current_ == nullptr || CompareInternalKeys(c->key(), current_->key()) < 0)) {
        current_ = c.get();
      }
    }
  }

  void FindLargest() {
    current_ = nullptr;
    if (AnyChildFailed()) return;
    for (auto& c : children_) {
      if (c->Valid() && (current_ == nullptr || CompareInternalKeys(c->key(), current_->key()) > 0)) {
        current_ = c.get();
      }
    }
  }

  std::vector<std::unique_ptr<InternalIterator>> children_;
  InternalIterator* current_ = nullptr;
  Direction direction_ = kForward;
};

}  // namespace

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace strata
