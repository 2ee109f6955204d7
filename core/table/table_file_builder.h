// TableFileBuilder: writes one table file of a database, the one way flush,
// compaction and repair all write theirs.
//
// A table is written under its temporary name (TempFileName: NNNNNN.dbtmp),
// synced, closed, renamed to its final name (TableFileName: NNNNNN.sst), the
// directory synced, and then read back once. So a file with a table's name
// is always a whole table: a process killed midway leaves only a .dbtmp file,
// which opening the database (or a repair) removes, never a truncated .sst
// that a later reader would take for a damaged table. A table that does not
// read back is removed and its error returned: it must never be published.
//
// Usage: Add entries in internal-key order (and range tombstones in any
// order), then Finish, or let the builder go (or call Abandon) to throw the
// table away. The file is created by the first Add.
//
// Thread safety: one thread at a time. Ownership: the builder owns its file;
// `options` and `env` are borrowed and must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/dbformat.h"
#include "core/env.h"
#include "core/options.h"
#include "core/range_tombstone.h"
#include "core/status.h"
#include "core/version/file_metadata.h"

namespace strata {

class TableBuilder;
class TableCache;

class TableFileBuilder {
 public:
  // Table `number` of the database in directory `dbname`.
  TableFileBuilder(const Options& options, Env* env, std::string dbname, uint64_t number);
  ~TableFileBuilder();  // Abandon(), unless Finish succeeded
  TableFileBuilder(const TableFileBuilder&) = delete;
  TableFileBuilder& operator=(const TableFileBuilder&) = delete;

  // Adds one entry. REQUIRES: internal_key sorts after every key added so far.
  Status Add(std::string_view internal_key, std::string_view value);
  // A range tombstone the table carries (written by Finish).
  void AddRangeDeletion(const RangeTombstone& tombstone);

  uint64_t number() const { return number_; }
  uint64_t NumEntries() const;
  // The bytes written so far: where a caller cuts tables by size.
  uint64_t FileSize() const;
  // The largest sequence number of the entries and range tombstones added.
  SequenceNumber max_sequence() const { return max_sequence_; }

  // Completes the table and publishes it under its final name (see the top
  // of this file), reading it back through `cache` (which then holds it open)
  // or, when `cache` is null, by opening it directly. On success sets in
  // *meta the number, size, key range, entry and deletion counts, smallest
  // sequence and range tombstones; its other fields are left as they were.
  // On failure neither name is left on disk. REQUIRES: NumEntries() > 0.
  Status Finish(TableCache* cache, FileMetaData* meta);

  // Throws the table away: stops writing and removes the temporary file.
  void Abandon();

 private:
  const Options& options_;
  Env* const env_;
  const std::string dbname_;
  const uint64_t number_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<TableBuilder> builder_;
  std::string smallest_, largest_;
  RangeTombstoneList range_deletions_;
  SequenceNumber max_sequence_ = 0;
  bool done_ = false;
};

}  // namespace strata
