#include "core/table/block.h"

#include <cassert>

#include "core/coding.h"
#include "core/dbformat.h"

namespace strata {

Block::Block(BlockContents contents) : owned_(std::move(contents.data)), data_(owned_) {
  ParseRestarts();
}

Block::Block(std::string_view borrowed) : data_(borrowed) { ParseRestarts(); }

void Block::ParseRestarts() {
  // Offsets inside a block are 32-bit; the last value is the malformed marker.
  if (data_.size() < sizeof(uint32_t) || data_.size() >= kMalformed) return;
  const uint64_t count = DecodeFixed32(data_.data() + data_.size() - sizeof(uint32_t));
  const uint64_t max_count = (data_.size() - sizeof(uint32_t)) / sizeof(uint32_t);
  // Even an empty block has the restart point 0.
  if (count == 0 || count > max_count) return;
  num_restarts_ = static_cast<uint32_t>(count);
  restarts_offset_ =
      static_cast<uint32_t>(data_.size() - sizeof(uint32_t) - count * sizeof(uint32_t));
}

namespace {

// Walks the entries of a well-formed Block's entry area [0, restarts).
//
// Invariants:
//  - Valid() iff current_ < restarts_ and status_ is OK.
//  - When valid, key_ is the full key of the entry at current_, value_ points
//    into the entry area, and value_ ends where the next entry begins.
//  - restart_index_ is the last restart point at or before current_.
//  - Once an entry fails to decode, status_ holds Corruption for good and
//    every positioning call leaves the iterator invalid: a damaged block is
//    never partly trusted.
class BlockIterator final : public InternalIterator {
 public:
  BlockIterator(const char* data, uint32_t restarts, uint32_t num_restarts, BlockKeyOrder order)
      : data_(data),
        restarts_(restarts),
        num_restarts_(num_restarts),
        order_(order),
        current_(restarts),
        restart_index_(num_restarts),
        value_(data + restarts, 0) {
    assert(num_restarts_ > 0);
  }

  bool Valid() const override { return current_ < restarts_; }
  std::string_view key() const override {
    assert(Valid());
    return key_;
  }
  std::string_view value() const override {
    assert(Valid());
    return value_;
  }
  Status status() const override { return status_; }

  void Next() override {
    assert(Valid());
    ParseNextEntry();
  }

  void Prev() override {
    assert(Valid());
    // Back up to the last restart point strictly before the current entry,
    // then decode forward to the entry just before it.
    const uint32_t original = current_;
    while (RestartPoint(restart_index_) >= original) {
      if (restart_index_ == 0) {
        MarkInvalid();
        return;
      }
      --restart_index_;
    }
    if (!SeekToRestartPoint(restart_index_)) return;
    do {
      if (!ParseNextEntry()) return;
    } while (NextEntryOffset() < original);
  }

  void Seek(std::string_view target) override {
    if (!status_.ok()) return;
    // Binary search for the last restart point whose key is < target; the
    // answer is at or after it (or at restart 0).
    uint32_t left = 0;
    uint32_t right = num_restarts_ - 1;
    while (left < right) {
      const uint32_t mid = left + (right - left + 1) / 2;
      const uint32_t offset = RestartPoint(mid);
      uint32_t shared = 0, unshared = 0, value_len = 0;
      const char* key_start = nullptr;
      if (offset < restarts_) {
        key_start = DecodeEntryHeader(data_ + offset, &shared, &unshared, &value_len);
      }
      if (key_start == nullptr || shared != 0) {
        Corrupt("bad restart point", offset);
        return;
      }
      std::string_view mid_key(key_start, unshared);
      if (!KeyShapeOk(mid_key)) {
        Corrupt("key too short for an internal key", offset);
        return;
      }
      if (Compare(mid_key, target) < 0) {
        left = mid;
      } else {
        right = mid - 1;
      }
    }
    if (!SeekToRestartPoint(left)) return;
    while (ParseNextEntry()) {
      if (Compare(key_, target) >= 0) return;
    }
  }

  void SeekToFirst() override {
    if (!status_.ok()) return;
    if (SeekToRestartPoint(0)) ParseNextEntry();
  }

  void SeekToLast() override {
    if (!status_.ok()) return;
    if (!SeekToRestartPoint(num_restarts_ - 1)) return;
    while (ParseNextEntry() && NextEntryOffset() < restarts_) {
    }
  }

 private:
  int Compare(std::string_view a, std::string_view b) const {
    // The length guard keeps a too-short seek target (a caller bug) from
    // reading outside it; entries are checked by KeyShapeOk before this.
    if (order_ == BlockKeyOrder::kInternalKey && a.size() >= kInternalKeyTrailerBytes &&
        b.size() >= kInternalKeyTrailerBytes) {
      return CompareInternalKeys(a, b);
    }
    return a.compare(b);
  }

  bool KeyShapeOk(std::string_view key) const {
    return order_ != BlockKeyOrder::kInternalKey || key.size() >= kInternalKeyTrailerBytes;
  }

  uint32_t RestartPoint(uint32_t index) const {
    assert(index < num_restarts_);
    return DecodeFixed32(data_ + restarts_ + index * sizeof(uint32_t));
  }

  // Where the entry after the current one (or after the restart point just
  // sought) begins.
  uint32_t NextEntryOffset() const {
    return static_cast<uint32_t>(value_.data() + value_.size() - data_);
  }

  // Decodes the three varints of the entry at p and checks that its key
  // delta and value end inside the entry area. Returns where the key delta
  // begins, or nullptr when the entry is malformed.
  const char* DecodeEntryHeader(const char* p, uint32_t* shared, uint32_t* unshared,
                                uint32_t* value_len) const {
    const char* limit = data_ + restarts_;
    if (limit - p < 3) return nullptr;
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    if ((u[0] | u[1] | u[2]) < 0x80) {
      // Fast path: all three fit in one byte each, the usual case.
      *shared = u[0];
      *unshared = u[1];
      *value_len = u[2];
      p += 3;
    } else {
      if ((p = DecodeVarint32(p, limit, shared)) == nullptr) return nullptr;
      if ((p = DecodeVarint32(p, limit, unshared)) == nullptr) return nullptr;
      if ((p = DecodeVarint32(p, limit, value_len)) == nullptr) return nullptr;
    }
    if (static_cast<uint64_t>(limit - p) < uint64_t{*unshared} + *value_len) return nullptr;
    return p;
  }

  // Positions so that ParseNextEntry decodes the entry at restart `index`.
  bool SeekToRestartPoint(uint32_t index) {
    key_.clear();
    restart_index_ = index;
    const uint32_t offset = RestartPoint(index);
    if (offset > restarts_) {
      Corrupt("restart point past the entries", offset);
      return false;
    }
    value_ = std::string_view(data_ + offset, 0);
    return true;
  }

  // Decodes the entry at NextEntryOffset(). Returns false, leaving the
  // iterator invalid, at the end of the entries or on damage.
  bool ParseNextEntry() {
    current_ = NextEntryOffset();
    if (current_ >= restarts_) {
      MarkInvalid();
      return false;
    }
    uint32_t shared = 0, unshared = 0, value_len = 0;
    const char* p = DecodeEntryHeader(data_ + current_, &shared, &unshared, &value_len);
    if (p == nullptr || shared > key_.size()) {
      Corrupt("malformed entry", current_);
      return false;
    }
    key_.resize(shared);
    key_.append(p, unshared);
    if (!KeyShapeOk(key_)) {
      Corrupt("key too short for an internal key", current_);
      return false;
    }
    value_ = std::string_view(p + unshared, value_len);
    while (restart_index_ + 1 < num_restarts_ && RestartPoint(restart_index_ + 1) < current_) {
      ++restart_index_;
    }
    return true;
  }

  void MarkInvalid() {
    current_ = restarts_;
    restart_index_ = num_restarts_;
    key_.clear();
    value_ = std::string_view(data_ + restarts_, 0);
  }

  void Corrupt(const char* what, uint32_t offset) {
    if (status_.ok()) {
      status_ = Status::Corruption(std::string("block: ") + what + " at block offset " +
                                   std::to_string(offset));
    }
    MarkInvalid();
  }

  const char* const data_;
  const uint32_t restarts_;      // offset of the restart array: the end of the entries
  const uint32_t num_restarts_;  // > 0
  const BlockKeyOrder order_;

  uint32_t current_;        // offset of the current entry; restarts_ when invalid
  uint32_t restart_index_;  // restart block holding current_
  std::string key_;
  std::string_view value_;
  Status status_;
};

}  // namespace

std::unique_ptr<InternalIterator> Block::NewIterator(BlockKeyOrder order) const {
  if (!well_formed()) {
    return NewEmptyIterator(Status::Corruption(
        "block: bad restart array in a block of " + std::to_string(data_.size()) + " bytes"));
  }
  return std::make_unique<BlockIterator>(data_.data(), restarts_offset_, num_restarts_, order);
}

std::unique_ptr<InternalIterator> NewBlockIterator(std::shared_ptr<const Block> block,
                                                   BlockKeyOrder order) {
  std::unique_ptr<InternalIterator> iter = block->NewIterator(order);
  iter->RegisterCleanup([pinned = std::move(block)] {});
  return iter;
}

}  // namespace strata
