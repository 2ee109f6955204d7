// Block: an immutable, decoded-in-place data, index or properties block in
// the layout BlockBuilder writes (block_builder.h).
//
// A Block owns its bytes, or borrows them from a mapped table file (whose
// reader keeps the mapping for as long as the block can be used), and never
// trusts them: the constructor checks the
// restart array against the block's size, and its iterators check every entry
// against the entry area's end before reading it. A malformed block yields
// iterators whose status() is Corruption; reading one never goes out of
// bounds, whatever the bytes (these readers are fuzzed).
//
// Thread safety: a Block is immutable after construction, so any number of
// threads may create and use iterators over it at once; each iterator belongs
// to one thread at a time.
//
// Lifetime: Block::NewIterator and a BlockIterator borrow the block's bytes;
// whoever holds the iterator keeps the block alive (a table's iterator pins a
// cached block with its shared_ptr, table_reader.cc).
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "core/coding.h"
#include "core/dbformat.h"
#include "core/iterator.h"
#include "core/table/format.h"

namespace strata {

// The order a block's keys follow, which decides how Seek compares.
enum class BlockKeyOrder {
  // Internal keys (CompareInternalKeys): data and index blocks. Every key must
  // be at least 8 bytes long; a shorter one is reported as Corruption.
  kInternalKey,
  // Plain bytewise order: the properties block.
  kBytewise,
};

class Block {
 public:
  explicit Block(BlockContents contents);
  // A block over bytes it does not own, which must stay valid and unchanged
  // for the block's lifetime (a table's mapping, table_reader.h).
  explicit Block(std::string_view borrowed);
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  // False when the restart array is inconsistent with the block's size; such
  // a block only hands out iterators carrying Corruption.
  bool well_formed() const { return restarts_offset_ != kMalformed; }
  // The block's bytes (uncompressed, trailer excluded).
  size_t size() const { return data_.size(); }
  // Those bytes. An iterator's key() and value() point into them when the
  // entry is stored whole (always for a block with restart interval 1, as
  // the properties block).
  std::string_view contents() const { return data_; }
  // Memory this block holds, for cache accounting.
  size_t charge() const { return owned_.capacity() + sizeof(Block); }

  // REQUIRES: the block outlives the iterator.
  std::unique_ptr<InternalIterator> NewIterator(BlockKeyOrder order) const;

 private:
  friend class BlockIterator;
  static constexpr uint32_t kMalformed = UINT32_MAX;

  void ParseRestarts();

  std::string owned_;      // empty for a borrowed block
  std::string_view data_;  // owned_, or the borrowed bytes
  uint32_t restarts_offset_ = kMalformed;  // where the restart array begins
  uint32_t num_restarts_ = 0;
};

// The key a BlockIterator is on: up to kInline bytes inside the iterator
// (the keys of most tables, so a lookup allocates nothing), longer ones on the
// heap. Not copyable: its data pointer may point into itself.
class BlockKeyBuffer {
 public:
  BlockKeyBuffer() = default;
  BlockKeyBuffer(const BlockKeyBuffer&) = delete;
  BlockKeyBuffer& operator=(const BlockKeyBuffer&) = delete;

  size_t size() const { return size_; }
  void clear() { size_ = 0; }
  // Keeps the first n bytes. REQUIRES: n <= size().
  void resize(size_t n) {
    assert(n <= size_);
    size_ = n;
  }
  void append(const char* p, size_t n) {
    if (n > capacity_ - size_) Grow(size_ + n);
    if (n > 0) std::memcpy(data_ + size_, p, n);
    size_ += n;
  }
  operator std::string_view() const { return std::string_view(data_, size_); }

 private:
  static constexpr size_t kInline = 48;

  void Grow(size_t needed) {
    const size_t capacity = std::max(needed, 2 * capacity_);
    auto bigger = std::make_unique<char[]>(capacity);
    if (size_ > 0) std::memcpy(bigger.get(), data_, size_);
    heap_ = std::move(bigger);
    data_ = heap_.get();
    capacity_ = capacity;
  }

  char inline_[kInline];
  std::unique_ptr<char[]> heap_;
  char* data_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = kInline;
};

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
//
// Block::NewIterator hands one out on the heap; a caller that makes one per
// lookup (TableReader::Get) keeps it on its stack instead, which costs no
// allocation: the current key lives in the iterator while it is short.
class BlockIterator final : public InternalIterator {
 public:
  // REQUIRES: block.well_formed(); the block's bytes outlive the iterator.
  BlockIterator(const Block& block, BlockKeyOrder order)
      : data_(block.data_.data()),
        restarts_(block.restarts_offset_),
        num_restarts_(block.num_restarts_),
        order_(order),
        current_(restarts_),
        restart_index_(num_restarts_),
        value_(data_ + restarts_, 0) {
    assert(block.well_formed() && num_restarts_ > 0);
  }
  BlockIterator(const BlockIterator&) = delete;
  BlockIterator& operator=(const BlockIterator&) = delete;

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
  BlockKeyBuffer key_;
  std::string_view value_;
  Status status_;
};

}  // namespace strata
