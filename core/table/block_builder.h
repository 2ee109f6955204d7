// BlockBuilder: lays out the entries of one data or index block.
//
// Keys are prefix-compressed against the previous key. Every
// `restart_interval` entries the compression restarts (the entry stores its
// whole key) and the entry's offset is recorded as a restart point, so a
// reader can binary-search the restart points and decode forward from one.
// Layout (block.h reads it):
//
//   entry*   : varint32 shared     bytes shared with the previous key (0 at a restart)
//              varint32 unshared   bytes of key that follow
//              varint32 value_len
//              key[shared..]       the unshared bytes
//              value
//   restart* : fixed32 offset of each restart entry, ascending; the first is 0
//   count    : fixed32 number of restarts (at least 1, even for an empty block)
//
// The builder does not compare keys: the table builder, which knows the key
// order, checks that keys arrive strictly increasing.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

class BlockBuilder {
 public:
  // restart_interval < 1 is treated as 1 (every key is a restart point).
  explicit BlockBuilder(int restart_interval);
  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // Forgets every entry, as if just constructed.
  void Reset();

  // REQUIRES: Finish() has not been called since the last Reset().
  // REQUIRES: key sorts after every key already added, in the block's order.
  void Add(std::string_view key, std::string_view value);

  // Appends the restart array and returns the finished block, which stays
  // valid until Reset() or destruction.
  std::string_view Finish();

  // The size the block would have if finished now.
  size_t CurrentSizeEstimate() const;
  // The size it would have if finished after Add(key, value): exactly what
  // Finish would then return, so a caller can keep a block within a bound.
  size_t SizeEstimateAfter(std::string_view key, std::string_view value) const;

  bool empty() const { return num_entries_ == 0; }
  size_t num_entries() const { return num_entries_; }
  // The last key added; empty when empty().
  std::string_view last_key() const { return last_key_; }

 private:
  // Bytes `key` would share with the previous key (0 at a restart point).
  size_t SharedPrefix(std::string_view key) const;
  bool AtRestart() const { return since_restart_ >= restart_interval_; }

  const int restart_interval_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int since_restart_ = 0;  // entries since the last restart point
  size_t num_entries_ = 0;
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace strata
