// TableCache: keeps up to max_open_tables tables open, least recently used
// out first, so that a lookup does not reopen (and re-read the footer, index
// and filter of) a table it used a moment ago, while open files and pinned
// index/filter memory stay bounded.
//
// A table is identified by its file number; on a miss the cache opens
// TableFileName(dbname, number) through Options::env (Env::Default() when
// null) with what the caller knows of it from the manifest (FileMetaData):
// its size, and where known its key range and entry count, which must match
// what the file says of itself (a file put in another's place is corruption,
// not a table with no such keys). Failed opens are not remembered: the next
// call tries again. Concurrent misses on the same table share one open.
//
// A table is opened through a mapping (Env::NewMappedRandomAccessFile) or
// for pread as Options::mmap_reads says; under MmapReads::kAuto, mapped when
// the live tables (SetLiveTableBytes, told by the version set) and the table
// total at most Options::mmap_reads_max_bytes, or half of
// ProcessMemoryLimit() when that is 0. The choice is made when a table is
// opened and kept while it stays open: the bound governs what new opens do
// once the database has grown.
//
// Readers are handed out as shared_ptr: a reader evicted (by the LRU bound or
// by Evict) stays valid for whoever still holds it, and iterators keep their
// table's state alive on their own (table_reader.h). The bound therefore
// limits what the cache holds, not what in-flight reads hold.
//
// Thread safety: every method is safe to call from many threads at once.
// Lifetime: the block cache must outlive this cache and every reader or
// iterator obtained from it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <future>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/dbformat.h"
#include "core/env.h"
#include "core/iterator.h"
#include "core/mutex.h"
#include "core/options.h"
#include "core/status.h"
#include "core/table/table_reader.h"
#include "core/thread_annotations.h"
#include "core/version/file_metadata.h"

namespace strata {

class BlockCache;

class TableCache {
 public:
  // `block_cache` may be null (no block caching). max_open_tables == 0 keeps
  // nothing open between calls.
  TableCache(std::string dbname, const Options& options, BlockCache* block_cache,
             size_t max_open_tables);
  ~TableCache();
  TableCache(const TableCache&) = delete;
  TableCache& operator=(const TableCache&) = delete;

  // Sets *table to the reader of table `number`, opening it if needed. On
  // failure *table is null and the status is the open's (IOError when the
  // file cannot be opened, Corruption when it is not a valid table).
  // Corruption too when the file's properties disagree with `meta`: its
  // smallest or largest key (when meta has them) or its entry count (when
  // meta's is not 0).
  Status FindTable(const FileMetaData& meta, std::shared_ptr<TableReader>* table) EXCLUDES(mu_);

  // FindTable followed by TableReader::Get.
  Status Get(const FileMetaData& meta, const LookupKey& key, TableGetResult* result,
             std::string* value, const TableReadOptions& read_options = {});

  // FindTable followed by TableReader::NewIterator. When the table cannot be
  // opened, the iterator is empty and its status() is the error.
  std::unique_ptr<InternalIterator> NewIterator(const FileMetaData& meta,
                                                const TableReadOptions& read_options = {});

  // Forgets table `number`; called when its file is deleted. Readers already
  // handed out keep working. An open in progress for it is not cached.
  void Evict(uint64_t number) EXCLUDES(mu_);

  // Tables held open now.
  size_t size() const EXCLUDES(mu_);

  // The live tables' total size, for MmapReads::kAuto. Safe from any thread.
  void SetLiveTableBytes(uint64_t bytes) { live_table_bytes_.store(bytes, std::memory_order_relaxed); }
  // The bytes of the tables held open through a mapping.
  uint64_t MappedTableBytes() const EXCLUDES(mu_);

 private:
  struct OpenResult {
    Status status;
    std::shared_ptr<TableReader> table;
  };
  struct Entry {
    std::shared_ptr<TableReader> table;
    std::list<uint64_t>::iterator lru_position;
  };
  struct PendingOpen {
    std::shared_future<OpenResult> result;
    bool evicted = false;  // Evict arrived while opening: do not cache it
  };

  OpenResult OpenTable(const FileMetaData& meta);
  // Whether a table of this size opened now is mapped.
  bool MapsTable(uint64_t file_size) const;

  const std::string dbname_;
  const Options options_;
  Env* const env_;
  BlockCache* const block_cache_;
  const size_t max_open_tables_;
  // MmapReads::kAuto maps a table while it and the live tables total at
  // most this.
  const uint64_t mmap_max_bytes_;
  std::atomic<uint64_t> live_table_bytes_{0};

  mutable Mutex mu_;
  std::unordered_map<uint64_t, Entry> tables_ GUARDED_BY(mu_);
  std::list<uint64_t> lru_ GUARDED_BY(mu_);  // front is most recent
  std::unordered_map<uint64_t, PendingOpen> opening_ GUARDED_BY(mu_);
};

}  // namespace strata
