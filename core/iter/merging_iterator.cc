#include "core/iter/merging_iterator.h"

#include <algorithm>
#include <string>

#include "core/dbformat.h"

namespace strata {

namespace {

// The children sit in a binary heap ordered by their current keys: a min-heap
// going forward, a max-heap going backward, so the entry shown is always at
// the top. Each heap slot caches its child's key (valid until that child
// moves), so a step costs one move of one child plus about log2(children)
// key comparisons, instead of a virtual key() call and a comparison on every
// child.
class MergingIterator final : public InternalIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<InternalIterator>> children)
      : children_(std::move(children)) {
    heap_.reserve(children_.size());
  }

  bool Valid() const override { return !heap_.empty() && !failed_; }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    Rebuild(kForward);
  }

  void SeekToLast() override {
    for (auto& c : children_) c->SeekToLast();
    Rebuild(kReverse);
  }

  void Seek(std::string_view target) override {
    for (auto& c : children_) c->Seek(target);
    Rebuild(kForward);
  }

  void Next() override {
    if (direction_ != kForward) {
      // Every child but the current one must move to its first key after
      // key(); the current one is at key() and steps below.
      const std::string key(heap_.front().key);
      InternalIterator* current = heap_.front().child;
      for (auto& c : children_) {
        if (c.get() == current) continue;
        c->Seek(key);
        if (c->Valid() && CompareInternalKeys(key, c->key()) == 0) c->Next();
      }
      current->Next();
      Rebuild(kForward);
      return;
    }
    Advance([](InternalIterator* c) { c->Next(); });
  }

  void Prev() override {
    if (direction_ != kReverse) {
      // Every child but the current one must move to its last key before
      // key().
      const std::string key(heap_.front().key);
      InternalIterator* current = heap_.front().child;
      for (auto& c : children_) {
        if (c.get() == current) continue;
        c->Seek(key);
        if (c->Valid()) {
          c->Prev();
        } else if (c->status().ok()) {
          c->SeekToLast();
        }
      }
      current->Prev();
      Rebuild(kReverse);
      return;
    }
    Advance([](InternalIterator* c) { c->Prev(); });
  }

  std::string_view key() const override { return heap_.front().key; }
  std::string_view value() const override { return heap_.front().child->value(); }

  Status status() const override {
    for (const auto& c : children_) {
      Status s = c->status();
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

 private:
  enum Direction { kForward, kReverse };

  struct Slot {
    InternalIterator* child;
    std::string_view key;  // child->key(), until the child moves
  };

  // True when slot a belongs below slot b in the heap (the top is the
  // smallest key going forward, the largest going backward).
  bool Below(const Slot& a, const Slot& b) const {
    const int c = CompareInternalKeys(a.key, b.key);
    return direction_ == kForward ? c > 0 : c < 0;
  }

  void Rebuild(Direction direction) {
    direction_ = direction;
    heap_.clear();
    failed_ = false;
    for (auto& c : children_) {
      if (c->Valid()) {
        heap_.push_back({c.get(), c->key()});
      } else if (!c->status().ok()) {
        // A child that failed ends the merge: going on would silently skip
        // its keys and return a wrong stream.
        failed_ = true;
      }
    }
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
  }

  // Moves the top child one step and restores the heap.
  template <typename Step>
  void Advance(Step step) {
    Slot& top = heap_.front();
    step(top.child);
    if (top.child->Valid()) {
      top.key = top.child->key();
    } else {
      if (!top.child->status().ok()) failed_ = true;
      top = heap_.back();
      heap_.pop_back();
      if (heap_.empty()) return;
    }
    SiftDown(0);
  }

  void SiftDown(size_t i) {
    const size_t n = heap_.size();
    while (true) {
      const size_t left = 2 * i + 1;
      if (left >= n) return;
      size_t best = left;
      const size_t right = left + 1;
      if (right < n && Below(heap_[left], heap_[right])) best = right;
      if (!Below(heap_[i], heap_[best])) return;
      std::swap(heap_[i], heap_[best]);
      i = best;
    }
  }

  std::vector<std::unique_ptr<InternalIterator>> children_;
  std::vector<Slot> heap_;
  Direction direction_ = kForward;
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace strata
