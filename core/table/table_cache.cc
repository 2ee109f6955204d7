#include "core/table/table_cache.h"

#include <vector>

#include "core/filename.h"
#include "core/memory_limit.h"

namespace strata {

TableCache::TableCache(std::string dbname, const Options& options, BlockCache* block_cache,
                       size_t max_open_tables)
    : dbname_(std::move(dbname)),
      options_(options),
      env_(options.env != nullptr ? options.env : Env::Default()),
      block_cache_(block_cache),
      max_open_tables_(max_open_tables),
      // The cgroup files are read only when kAuto needs the default bound.
      mmap_max_bytes_(options.mmap_reads == MmapReads::kAuto && options.mmap_reads_max_bytes == 0
                          ? ProcessMemoryLimit() / 2
                          : options.mmap_reads_max_bytes) {}

bool TableCache::MapsTable(uint64_t file_size) const {
  switch (options_.mmap_reads) {
    case MmapReads::kAlways: return true;
    case MmapReads::kNever: return false;
    case MmapReads::kAuto: break;
  }
  // The table's own size is added: a table just written is opened before
  // the version that lists it is installed (counted twice otherwise, which
  // errs towards pread).
  const uint64_t live = live_table_bytes_.load(std::memory_order_relaxed);
  return live <= mmap_max_bytes_ && file_size <= mmap_max_bytes_ - live;
}

uint64_t TableCache::MappedTableBytes() const {
  MutexLock lock(mu_);
  uint64_t bytes = 0;
  for (const auto& [number, entry] : tables_) {
    if (entry.table->mapped()) bytes += entry.table->file_size();
  }
  return bytes;
}

TableCache::~TableCache() = default;

namespace {
// What a table says of itself must be what the manifest says of it: the
// same size can belong to another table (two flushes of equal-sized
// memtables), whose blocks would answer "not found" for every key.
Status CheckIdentity(const std::string& dbname, const FileMetaData& meta,
                     const TableProperties& props) {
  auto mismatch = [&](const std::string& what) {
    return Status::Corruption("table " + TableFileName(dbname, meta.number) + " is not the table " +
                              "the manifest lists under its number: " + what + " differ");
  };
  if (meta.num_entries != 0 && props.num_entries != meta.num_entries) {
    return mismatch("entry counts (" + std::to_string(props.num_entries) + " in the file, " +
                    std::to_string(meta.num_entries) + " in the manifest)");
  }
  // An ingested table's reader reports its keys with the global sequence
  // number (table_reader.cc), as the manifest records them.
  // Tables written before the key range was a property have none to compare.
  if (!meta.smallest.empty() && !props.smallest_key.empty() &&
      (props.smallest_key != meta.smallest || props.largest_key != meta.largest)) {
    return mismatch("key ranges");
  }
  return Status::OK();
}
}  // namespace

TableCache::OpenResult TableCache::OpenTable(const FileMetaData& meta) {
  const uint64_t number = meta.number;
  OpenResult r;
  std::unique_ptr<RandomAccessFile> file;
  r.status = MapsTable(meta.file_size)
                 ? env_->NewMappedRandomAccessFile(TableFileName(dbname_, number), &file)
                 : env_->NewRandomAccessFile(TableFileName(dbname_, number), &file);
  if (r.status.IsNotFound()) {
    // Every table asked for is one the manifest lists: its absence is damage
    // to the database, never an answer of "no such key".
    r.status = Status::Corruption("table file is missing: " + r.status.message());
  }
  if (!r.status.ok()) return r;
  std::unique_ptr<TableReader> reader;
  r.status =
      TableReader::Open(options_, std::move(file), meta.file_size, number, block_cache_, &reader);
  if (r.status.ok()) r.status = CheckIdentity(dbname_, meta, reader->properties());
  if (r.status.ok()) r.table = std::move(reader);
  return r;
}

Status TableCache::FindTable(const FileMetaData& meta, std::shared_ptr<TableReader>* table) {
  const uint64_t number = meta.number;
  table->reset();
  std::shared_future<OpenResult> in_flight;
  std::promise<OpenResult> promise;
  {
    MutexLock lock(mu_);
    auto it = tables_.find(number);
    if (it != tables_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru_position);
      *table = it->second.table;
      return Status::OK();
    }
    auto pending = opening_.find(number);
    if (pending != opening_.end()) {
      in_flight = pending->second.result;
    } else {
      opening_.emplace(number, PendingOpen{promise.get_future().share(), false});
    }
  }
  if (in_flight.valid()) {
    // Another thread is opening this table: share its result.
    const OpenResult& r = in_flight.get();
    *table = r.table;
    return r.status;
  }

  // The open (file I/O) runs without the lock so that hits on other tables
  // are never stuck behind it.
  OpenResult r = OpenTable(meta);
  std::vector<std::shared_ptr<TableReader>> dropped;  // closed after unlocking
  {
    MutexLock lock(mu_);
    auto pending = opening_.find(number);
    const bool evicted = pending->second.evicted;
    opening_.erase(pending);
    if (r.status.ok() && !evicted && max_open_tables_ > 0) {
      lru_.push_front(number);
      tables_[number] = Entry{r.table, lru_.begin()};
      while (tables_.size() > max_open_tables_) {
        auto victim = tables_.find(lru_.back());
        lru_.pop_back();
        dropped.push_back(std::move(victim->second.table));
        tables_.erase(victim);
      }
    }
  }
  *table = r.table;
  Status status = r.status;
  promise.set_value(std::move(r));
  return status;
}

Status TableCache::Get(const FileMetaData& meta, const LookupKey& key, TableGetResult* result,
                       std::string* value, const TableReadOptions& read_options) {
  *result = TableGetResult::kNotFound;
  std::shared_ptr<TableReader> table;
  STRATA_RETURN_IF_ERROR(FindTable(meta, &table));
  return table->Get(key, result, value, read_options);
}

std::unique_ptr<InternalIterator> TableCache::NewIterator(const FileMetaData& meta,
                                                          const TableReadOptions& read_options) {
  std::shared_ptr<TableReader> table;
  Status s = FindTable(meta, &table);
  if (!s.ok()) return NewEmptyIterator(std::move(s));
  return table->NewIterator(read_options);
}

void TableCache::Evict(uint64_t number) {
  std::shared_ptr<TableReader> dropped;  // closed after unlocking
  MutexLock lock(mu_);
  auto it = tables_.find(number);
  if (it != tables_.end()) {
    dropped = std::move(it->second.table);
    lru_.erase(it->second.lru_position);
    tables_.erase(it);
  }
  auto pending = opening_.find(number);
  if (pending != opening_.end()) pending->second.evicted = true;
}

size_t TableCache::size() const {
  MutexLock lock(mu_);
  return tables_.size();
}

}  // namespace strata
