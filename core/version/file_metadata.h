// FileMetaData: what the manifest records about one table.
//
// Thread safety: immutable once published in a Version, except
// `being_compacted`, which is only touched under the database mutex, and
// `allowed_seeks`, an atomic counter readers decrement. A copy describes the
// same table but is not the live one: it starts with being_compacted false
// and assignment leaves the target's flag alone, so copying a published
// entry without the mutex (a checkpoint does) never reads the flag.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/range_tombstone.h"

namespace strata {

inline constexpr int kNumLevels = 7;

struct FileMetaData {
  FileMetaData() = default;
  FileMetaData(const FileMetaData& o) { *this = o; }  // being_compacted: false
  FileMetaData& operator=(const FileMetaData& o) {
    number = o.number;
    file_size = o.file_size;
    smallest = o.smallest;
    largest = o.largest;
    num_entries = o.num_entries;
    num_deletions = o.num_deletions;
    smallest_sequence = o.smallest_sequence;
    range_deletions = o.range_deletions;
    range_deletions_applied = o.range_deletions_applied;
    allowed_seeks.store(o.allowed_seeks.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return *this;
  }

  // The seeks this table may still waste before it is worth compacting
  // (read-triggered compaction, as LevelDB's "allowed seeks"): a point read
  // that reads a block of this table without finding its key and must then
  // read another table, or an iterator seek over it, charges one. Reading a
  // block costs about as much as compacting 16 KiB, so a table gets one seek
  // per 16 KiB of what compacting it would rewrite: its own size plus, for a
  // level-0 table, the level-1 bytes it overlaps (with random keys, all of
  // level 1); at least 100; see DB::ChargeSeek. Set when the table enters a
  // Version; decremented by readers without a lock.
  static int64_t InitialAllowedSeeks(uint64_t compaction_bytes) {
    const int64_t seeks = static_cast<int64_t>(compaction_bytes / (16 * 1024));
    return seeks < 100 ? 100 : seeks;
  }
  mutable std::atomic<int64_t> allowed_seeks{0};

  uint64_t number = 0;
  uint64_t file_size = 0;
  std::string smallest;  // internal key
  std::string largest;   // internal key
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;
  // The smallest sequence number of the table's entries; 0 when unknown (a
  // table recorded before strata kept it).
  uint64_t smallest_sequence = 0;
  // The range tombstones the table carries (also in its properties).
  RangeTombstoneList range_deletions;
  // Every range tombstone with a sequence number at or below this one had
  // been applied when the table was written: the table holds no entry such
  // a tombstone hides from every reader. 0 for flushed tables. Lets the
  // engine drop a tombstone once no table can hold what it hides (see
  // db_compact.cc).
  uint64_t range_deletions_applied = 0;
  // Set while a compaction has this file as an input. Guarded by DB mutex.
  bool being_compacted = false;
};

}  // namespace strata
