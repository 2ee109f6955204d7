// SuperVersion: the memtables and tables a read consults, as one immutable
// value.
//
// The database publishes a new one whenever any of its parts changes (a
// memtable switch, a flush, a compaction, an ingest, a write carrying a range
// tombstone), so a reader pins everything it reads with one reference and
// never takes the database mutex.
//
// Thread safety: immutable once published; share it through
// std::shared_ptr<const SuperVersion>.
#pragma once

#include <memory>
#include <vector>

namespace strata {

class MemTable;
class RangeTombstoneSet;
class Version;

struct SuperVersion {
  std::shared_ptr<MemTable> mem;
  std::vector<std::shared_ptr<MemTable>> imms;  // newest first
  std::shared_ptr<const Version> version;
  // Every range tombstone in mem, imms and version; null when none.
  std::shared_ptr<const RangeTombstoneSet> range_deletions;
};

}  // namespace strata
