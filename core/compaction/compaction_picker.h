// Picks the next background compaction for leveled compaction.
//
// Each level has a score: L0's is its table count over l0_compaction_trigger
// (L0 tables overlap, so their count is what costs reads); a deeper level's
// is its bytes over its target (level1_bytes times level_size_multiplier per
// level below L1). The level with the highest score of at least 1 is
// compacted into the next one:
//  - from L0, all L0 tables (taking only some could push an older version of
//    a key below a newer one left in L0) plus the L1 tables they overlap;
//  - from a deeper level, one table chosen round-robin after the last key
//    compacted there, plus the tables it overlaps in the next level.
// When the inputs are a single table with nothing to merge with, the table is
// moved down by a manifest edit instead of being rewritten.
//
// A manual compaction of a key range (kv_compact_range) is picked by
// PickRangeCompaction instead, whatever the scores say.
//
// Thread safety: REQUIRES the database mutex (reads being_compacted flags).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/compaction/compaction_job.h"
#include "core/options.h"
#include "core/version/version.h"

namespace strata {

struct PickedCompaction {
  int level = 0;  // the input level; outputs go to level + 1
  CompactionInputs inputs;
  bool trivial_move = false;  // a single table that can move down unchanged
};

// The score of each level (see above); levels below the last one only.
double LevelScore(const Version& v, const Options& o, int level);
uint64_t LevelTargetBytes(const Options& o, int level);

// The compaction to run now, or nullopt when no level needs one or the
// candidates are busy in another compaction. `compact_pointers[level]` is the
// largest key of the last compaction of that level (empty: start over).
// `l0_read_triggered`: reads found L0's overlapping tables costly enough
// (DB::ChargeSeek) that L0 is compacted even below its count trigger.
std::optional<PickedCompaction> PickCompaction(const Version& v, const Options& o,
                                               const std::string compact_pointers[kNumLevels],
                                               bool l0_read_triggered = false);

// The inputs of a manual compaction of the user-key range [*begin, *end]
// (null: open on that side). They are closed under overlap: starting from the
// range, every table of every level that overlaps it joins, and the range
// grows to cover it, until nothing more joins. So all versions of every key
// involved are merged together, which makes the result correct to place at
// the deepest level involved (output_level, at least 1) and lets tombstones
// be dropped there (bottommost). Each level's tables are listed in the order
// a Version keeps them (SortLevelFiles), as CompactionJob requires. Empty
// when no table overlaps the range. Ignores being_compacted: the caller runs
// it while no other compaction runs.
CompactionInputs PickRangeCompaction(const Version& v, const std::string_view* begin,
                                     const std::string_view* end);

}  // namespace strata
