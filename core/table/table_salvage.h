// TableSalvageIterator: what still reads of a damaged table, data block by
// data block (repair's salvage; core/db/repair.h).
//
// Only the footer and the index block must be intact: the filter and
// properties blocks may be damaged (the properties are used when they read).
// Each data block the index names is read with its checksum verified and
// parsed; a block is kept only if it reads, every entry's key is a
// well-formed internal key, and its keys ascend past every key kept before.
// Any other block is dropped and counted. Entries are returned as stored
// (an ingested table's keys keep sequence number 0).
//
// Thread safety: one thread at a time. Ownership: owns the file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/options.h"
#include "core/range_tombstone.h"
#include "core/status.h"

namespace strata {

class Block;
class InternalIterator;

class TableSalvageIterator {
 public:
  // Reads the footer and index of table `file_number` (file_size bytes).
  // Corruption (saying what is damaged) when the footer or index does not
  // read, NotSupported for a newer format version, IOError on I/O failure;
  // on failure *out is null.
  static Status Open(const Options& options, std::unique_ptr<RandomAccessFile> file,
                     uint64_t file_size, uint64_t file_number,
                     std::unique_ptr<TableSalvageIterator>* out);
  ~TableSalvageIterator();
  TableSalvageIterator(const TableSalvageIterator&) = delete;
  TableSalvageIterator& operator=(const TableSalvageIterator&) = delete;

  // Moves to the next data block kept. False past the last one, or on an
  // I/O error (status()); the index may also stop reading part way
  // (index_damage()).
  bool NextBlock();
  // The current block's entries in order (internal key, value). Valid until
  // the next NextBlock.
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

  uint64_t blocks_kept() const { return blocks_kept_; }
  uint64_t blocks_dropped() const { return blocks_dropped_; }
  // Why the index stopped reading part way; empty when it read to its end.
  // The blocks past that point are lost and not counted.
  const std::string& index_damage() const { return index_damage_; }
  // An I/O error that stopped the pass (not damage); OK otherwise.
  const Status& status() const { return status_; }

  // From the properties block when it reads: the entry count written (0 when
  // unknown) and the range tombstones the table carries.
  uint64_t entries_expected() const { return entries_expected_; }
  const RangeTombstoneList& range_deletions() const { return range_deletions_; }

 private:
  TableSalvageIterator() = default;
  // Parses one block into entries_; false if it is not to be kept.
  bool ParseBlock(const Block& block);

  std::unique_ptr<RandomAccessFile> file_;
  std::unique_ptr<Block> index_;
  std::unique_ptr<InternalIterator> index_iter_;
  uint64_t data_end_ = 0;  // data blocks lie before this offset
  bool started_ = false;
  std::vector<std::pair<std::string, std::string>> entries_;
  std::string last_kept_;  // the last key kept, empty before the first
  uint64_t blocks_kept_ = 0;
  uint64_t blocks_dropped_ = 0;
  std::string index_damage_;
  Status status_;
  uint64_t entries_expected_ = 0;
  RangeTombstoneList range_deletions_;
};

}  // namespace strata
