#include "support/vector_iterator.h"

#include <algorithm>
#include <cassert>

namespace strata::test {

std::string IKey(std::string_view user_key, SequenceNumber seq, ValueKind kind) {
  std::string out;
  AppendInternalKey(&out, user_key, seq, kind);
  return out;
}

std::string SeekKey(std::string_view user_key, SequenceNumber seq) {
  return std::string(LookupKey(user_key, seq).internal_key());
}

VectorIterator::VectorIterator(Entries entries, Order order)
    : entries_(std::move(entries)), order_(order) {
  std::sort(entries_.begin(), entries_.end(),
            [this](const auto& a, const auto& b) { return Compare(a.first, b.first) < 0; });
}

int VectorIterator::Compare(std::string_view a, std::string_view b) const {
  return order_ == Order::kInternalKey ? CompareInternalKeys(a, b) : a.compare(b);
}

void VectorIterator::FailAt(size_t index, Status error) {
  fail_index_ = index;
  fail_status_ = std::move(error);
}

void VectorIterator::Land(size_t index) {
  ++moves_;
  if (!status_.ok()) return;  // a failed iterator stays failed
  pos_ = index;
  valid_ = index < entries_.size();
  if (valid_ && index == fail_index_) {
    status_ = fail_status_;
    valid_ = false;
  }
}

bool VectorIterator::Valid() const { return valid_ && status_.ok(); }

void VectorIterator::SeekToFirst() { Land(0); }

void VectorIterator::SeekToLast() { Land(entries_.empty() ? 0 : entries_.size() - 1); }

void VectorIterator::Seek(std::string_view target) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), target,
                             [this](const auto& e, std::string_view t) {
                               return Compare(e.first, t) < 0;
                             });
  Land(static_cast<size_t>(it - entries_.begin()));
}

void VectorIterator::Next() {
  assert(Valid());
  Land(pos_ + 1);
}

void VectorIterator::Prev() {
  assert(Valid());
  if (pos_ == 0) {
    ++moves_;
    valid_ = false;
    return;
  }
  Land(pos_ - 1);
}

std::string_view VectorIterator::key() const {
  assert(Valid());
  return entries_[pos_].first;
}

std::string_view VectorIterator::value() const {
  assert(Valid());
  return entries_[pos_].second;
}

std::vector<std::string> KeysForward(InternalIterator* it) {
  std::vector<std::string> out;
  for (; it->Valid(); it->Next()) out.emplace_back(it->key());
  return out;
}

std::vector<std::string> KeysBackward(InternalIterator* it) {
  std::vector<std::string> out;
  for (; it->Valid(); it->Prev()) out.emplace_back(it->key());
  return out;
}

}  // namespace strata::test
