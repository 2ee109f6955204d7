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
// Lifetime: Block::NewIterator borrows the block; NewBlockIterator shares it,
// which is how cached blocks stay pinned while an iterator reads them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

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
  static constexpr uint32_t kMalformed = UINT32_MAX;

  void ParseRestarts();

  std::string owned_;      // empty for a borrowed block
  std::string_view data_;  // owned_, or the borrowed bytes
  uint32_t restarts_offset_ = kMalformed;  // where the restart array begins
  uint32_t num_restarts_ = 0;
};

// An iterator that holds a reference to `block`, so the block lives at least
// as long as the iterator even if every other owner (the block cache) drops it.
std::unique_ptr<InternalIterator> NewBlockIterator(std::shared_ptr<const Block> block,
                                                   BlockKeyOrder order);

}  // namespace strata
