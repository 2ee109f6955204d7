// MemTable: the in-memory, sorted buffer that receives every write before it
// is flushed to an SSTable.
//
// A MemTable holds internal entries (user key, sequence, kind) -> value in a
// SortedContainer of the configured kind (Options::memtable), ordered by
// internal key: user key ascending, then sequence descending, so the newest
// version of a key comes first. Every entry and every container node is
// allocated in the MemTable's own Arena and lives until the MemTable dies;
// nothing is ever removed or overwritten. A MemTable only grows: the engine
// watches ApproximateMemoryUsage, marks a full one immutable, flushes it, and
// destroys it when the last reader lets go of it.
//
// Thread safety:
//   - Add REQUIRES external synchronisation: one writer at a time (the
//     engine's write leader). Readers need none: Get, iterators and the
//     statistics may run on any number of threads concurrently with that
//     writer and with each other.
//   - A reader sees every Add that returned before the read began; it may or
//     may not see an Add running concurrently, and never sees entries out of
//     order. Snapshot isolation is the caller's business: it reads as of a
//     sequence number and skips newer entries.
//
// Ownership: the caller owns the MemTable and must keep it alive for as long
// as any iterator from NewIterator exists (the engine holds it by shared_ptr
// and pins it in the iterator with RegisterCleanup).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/dbformat.h"
#include "core/iterator.h"
#include "core/memtable/hash_index.h"
#include "core/memtable/sorted_container.h"
#include "core/mutex.h"
#include "core/range_tombstone.h"
#include "core/options.h"
#include "core/thread_annotations.h"

namespace strata {

class MemTable {
 public:
  explicit MemTable(MemTableKind kind);
  // With `index` kHash, point lookups go through a MemTableHashIndex sized
  // for `expected_bytes` of entries (the database's memtable_bytes). The
  // arena's slabs come from `slabs` when given (core/slab_pool.h).
  MemTable(MemTableKind kind, MemTableIndexKind index, size_t expected_bytes,
           std::shared_ptr<SlabPool> slabs = nullptr);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;
  ~MemTable();

  // Records that `user_key` has `value` (kind == kValue) or was deleted
  // (kind == kDeletion; `value` is then ignored and stored empty) as of
  // sequence number `seq`. Both strings are copied.
  // REQUIRES: one writer at a time; seq <= kMaxSequenceNumber; this memtable
  // has no entry for the same (user_key, seq) already (the engine assigns
  // each write its own sequence number).
  void Add(SequenceNumber seq, ValueKind kind, std::string_view user_key,
           std::string_view value);

  // Bulk loading, for recovery: AddUnlinked stores an entry that no reader
  // can see yet and returns it; LinkAll makes every entry so stored visible,
  // linking them in internal-key order (which the skip list does in O(1)
  // per entry). In between the memtable must not be read or Add-ed to.
  // REQUIRES: one writer, as for Add.
  const char* AddUnlinked(SequenceNumber seq, ValueKind kind, std::string_view user_key,
                          std::string_view value);
  void LinkAll(std::vector<const char*>* unlinked);

  // Records that every key in [start, end) was deleted as of `seq` (a range
  // tombstone). REQUIRES: start < end; one writer, as for Add. Readers do
  // not consult the list themselves: the engine copies it into the
  // RangeTombstoneSet each read uses (RangeDeletions) after the write.
  void AddRangeDeletion(SequenceNumber seq, std::string_view start, std::string_view end);
  // A copy of the range tombstones added so far. Thread-safe.
  RangeTombstoneList RangeDeletions() const;
  uint64_t NumRangeDeletions() const {
    return num_range_deletions_.load(std::memory_order_acquire);
  }

  enum class LookupResult {
    kAbsent,   // no version of the key at or below the lookup's sequence
    kFound,    // the newest visible version is a value, stored in *value
    kDeleted,  // the newest visible version is a tombstone
  };

  // Finds the newest version of key.user_key() whose sequence number is <=
  // the sequence number the LookupKey was built with. Only on kFound is
  // *value assigned; otherwise it is left untouched. *sequence (when not
  // null) receives the found version's sequence number on kFound and
  // kDeleted, so that the caller can ask whether a range tombstone hides it. kDeleted and kAbsent
  // differ for the caller: a tombstone hides older versions in older
  // memtables and tables, an absence does not.
  LookupResult Get(const LookupKey& key, std::string* value,
                   SequenceNumber* sequence = nullptr) const;
  // The same lookup without a copy: on kFound *value points at the value in
  // this memtable's arena, valid as long as the memtable lives (DB::Get hands
  // it to its caller's sink from there).
  LookupResult Get(const LookupKey& key, std::string_view* value,
                   SequenceNumber* sequence = nullptr) const;

  // An iterator over every entry, in internal-key order: key() is the
  // internal key, value() the value (empty for tombstones). It sees entries
  // added after its creation as it reaches them. status() is always OK.
  // It does NOT keep the MemTable alive; see Ownership above.
  std::unique_ptr<InternalIterator> NewIterator() const;

  // Bytes the arena has obtained, entries and container nodes included.
  // Thread-safe.
  size_t ApproximateMemoryUsage() const;

  // What the entries have added to ApproximateMemoryUsage: the measure the
  // engine compares with memtable_bytes. An empty memtable already holds a
  // block of its arena (the container's head), which must not count, or a
  // small memtable_bytes would be "full" with no entries at all. Thread-safe.
  size_t EntryMemoryUsage() const { return ApproximateMemoryUsage() - empty_usage_; }

  // Entries added so far, and how many of them are tombstones. Thread-safe;
  // a reader that sees a count can find at least that many entries.
  uint64_t NumEntries() const { return num_entries_.load(std::memory_order_acquire); }
  uint64_t NumDeletions() const { return num_deletions_.load(std::memory_order_acquire); }

  MemTableKind kind() const { return kind_; }

 private:
  const MemTableKind kind_;
  // Declared before container_ so that it is destroyed after it: the
  // container's nodes live here.
  Arena arena_;
  const std::unique_ptr<SortedContainer> container_;
  // Null unless Options::memtable_index is hash.
  const std::unique_ptr<MemTableHashIndex> index_;
  // The arena's usage once the container was built, before any entry.
  const size_t empty_usage_;
  // Written by the single writer after each insert, read by anyone.
  std::atomic<uint64_t> num_entries_{0};
  std::atomic<uint64_t> num_deletions_{0};
  // Range tombstones are rare: a plain list under its own lock, so that a
  // copy taken by another thread never races the writer.
  mutable Mutex range_deletions_mu_;
  RangeTombstoneList range_deletions_ GUARDED_BY(range_deletions_mu_);
  std::atomic<uint64_t> num_range_deletions_{0};
};

}  // namespace strata
