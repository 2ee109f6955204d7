// CompactionJob: merges a set of input tables into new tables for one level.
//
// The merge keeps, for each user key, every version some open snapshot or
// iterator may still read (the newest version, plus any version newer than
// the oldest pinned sequence number), and drops tombstones once nothing older
// than them can exist below the output level. It drops the versions a range
// tombstone hides from every reader, and carries the inputs' range
// tombstones that may still hide something elsewhere into its first output
// (range_tombstone.h). Output tables are cut at about
// `table_file_bytes`, only between user keys, so that a key's versions never
// straddle two tables of a level.
//
// Thread safety: Run is called without the database mutex; the job touches
// only its inputs (pinned by the caller) and the files it creates.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/dbformat.h"
#include "core/env.h"
#include "core/options.h"
#include "core/version/file_metadata.h"
#include "core/version/version.h"

namespace strata {

class TableCache;

struct CompactionInputs {
  // Inputs per level; newer data first is not required (the merge orders by
  // sequence number), but the tables of a level above 0 must be listed in
  // key order (SortLevelFiles), as a level iterator reads them.
  FileList files[kNumLevels];
  int output_level = 1;
  // True when no level below the output level can hold the inputs' keys, so
  // tombstones may be dropped.
  bool bottommost = false;
  SequenceNumber oldest_snapshot = 0;
  // Every range tombstone of the Version the inputs come from (null: none);
  // those at or below oldest_snapshot hide their versions from every reader.
  std::shared_ptr<const RangeTombstoneSet> range_deletions;
  // The largest sequence number of those tombstones (0: none), recorded in
  // every output as FileMetaData::range_deletions_applied.
  SequenceNumber range_deletions_applied = 0;
  // The inputs' tombstones the outputs must carry.
  RangeTombstoneList carried_range_deletions;

  uint64_t InputBytes() const;
  bool empty() const;
};

struct CompactionResult {
  std::vector<FileMetaData> outputs;
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  uint64_t entries_dropped = 0;
};

class CompactionJob {
 public:
  // `new_file_number` hands out a file number and registers it as an output
  // in progress, so file garbage collection leaves it alone.
  CompactionJob(const Options& options, std::string dbname, Env* env, TableCache* tables,
                std::function<uint64_t()> new_file_number);

  // Merges the inputs into new tables (not yet in any Version). Fails with
  // InvalidArgument, before reading or writing anything, when the tables of
  // a level above 0 are not listed in key order or overlap.
  Status Run(const CompactionInputs& inputs, CompactionResult* result);

 private:
  static Status CheckInputs(const CompactionInputs& inputs);

  const Options& options_;
  const std::string dbname_;
  Env* const env_;
  TableCache* const tables_;
  std::function<uint64_t()> new_file_number_;
};

}  // namespace strata
