// Version: one immutable snapshot of the set of live tables, level by level.
//
// L0 tables may overlap each other and are ordered by file number (a larger
// number holds newer data). Tables of each deeper level hold disjoint key
// ranges and are ordered by smallest key.
//
// Lifetime: Versions are shared (std::shared_ptr). A reader or iterator holds
// the Version it started with, which keeps its tables from being deleted;
// VersionSet::AddLiveFiles counts every Version still held.
//
// Thread safety: immutable after construction; safe from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/dbformat.h"
#include "core/range_tombstone.h"
#include "core/version/file_metadata.h"

namespace strata {

using FileList = std::vector<std::shared_ptr<FileMetaData>>;

// Puts a level's tables in the order a Version keeps them: by file number
// for L0 (newer last), by smallest key for deeper levels, which is the order
// a level iterator concatenates them in.
void SortLevelFiles(int level, FileList* files);

class Version {
 public:
  const FileList& files(int level) const { return files_[level]; }
  int NumFiles(int level) const { return static_cast<int>(files_[level].size()); }
  uint64_t LevelBytes(int level) const;
  uint64_t TotalBytes() const;

  // Tables of `level` whose range may hold user_key, in the order a point read
  // must consult them (newest first for L0; at most one table elsewhere).
  FileList FilesForKey(int level, std::string_view user_key) const;

  // The same tables for every level, L0 first, without building a list:
  // calls fn(level, table) for each until fn returns false. The point-read
  // path, where a vector and shared_ptr copies per level would cost more
  // than the lookup in a cached block.
  template <typename Fn>
  void ForEachTableForKey(std::string_view user_key, Fn&& fn) const {
    const FileList& l0 = files_[0];
    for (auto it = l0.rbegin(); it != l0.rend(); ++it) {
      const FileMetaData& f = **it;
      if (user_key >= ExtractUserKey(f.smallest) && user_key <= ExtractUserKey(f.largest)) {
        if (!fn(0, f)) return;
      }
    }
    for (int level = 1; level < kNumLevels; ++level) {
      const FileList& files = files_[level];
      if (files.empty()) continue;
      // The first table whose largest key is >= user_key.
      size_t lo = 0, hi = files.size();
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (ExtractUserKey(files[mid]->largest) < user_key) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (lo < files.size() && user_key >= ExtractUserKey(files[lo]->smallest)) {
        if (!fn(level, *files[lo])) return;
      }
    }
  }

  // Tables of `level` overlapping the user-key range [begin, end]; an empty
  // optional bound is open.
  FileList Overlapping(int level, const std::string_view* begin,
                       const std::string_view* end) const;

  // The deepest level that holds any table, or 0.
  int DeepestNonEmptyLevel() const;

  // The range tombstones every table carries, or null when none does.
  const std::shared_ptr<const RangeTombstoneSet>& range_deletions() const {
    return range_deletions_;
  }
  // The same tombstones as a list, for building a read's set (with the
  // memtables') and for compaction.
  const RangeTombstoneList& range_deletion_list() const { return range_deletion_list_; }

 private:
  friend class VersionBuilder;
  FileList files_[kNumLevels];
  RangeTombstoneList range_deletion_list_;
  std::shared_ptr<const RangeTombstoneSet> range_deletions_;
};

// Applies edits to a base Version to produce the next one.
class VersionBuilder {
 public:
  explicit VersionBuilder(const Version* base);
  // Adds and removes the edit's tables. Corruption if a removed table is absent.
  void Apply(const class VersionEdit& edit);
  // The resulting Version; Corruption-free invariants (sorted, disjoint levels
  // >= 1) are checked and a violation reported through *error.
  std::shared_ptr<Version> Build(std::string* error) const;

 private:
  FileList files_[kNumLevels];
};

}  // namespace strata
