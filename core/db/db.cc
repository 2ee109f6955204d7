// DB: reads, snapshots, properties and shutdown. Opening and recovery
// (manifest and log replay) are in recovery.cc, the write path in
// db_write.cc, background flush and file garbage collection in
// db_background.cc, manual compaction in db_compact.cc.
#include "core/db/db.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "core/cache/block_cache.h"
#include "core/db/db_iterator.h"
#include "core/filename.h"
#include "core/iter/level_iterator.h"
#include "core/iter/merging_iterator.h"
#include "core/memtable/memtable.h"
#include "core/slab_pool.h"
#include "core/table/table_cache.h"
#include "core/table/table_reader.h"
#include "core/version/version_set.h"
#include "core/wal/log_reader.h"
#include "core/wal/log_writer.h"

namespace strata {

DB::DB(const Options& options, std::string dbname)
    : options_(options),
      dbname_(std::move(dbname)),
      env_(options.env != nullptr ? options.env : Env::Default()),
      slab_pool_(std::make_shared<SlabPool>(options.memtable_bytes)) {}

Status DB::CheckWritable(std::string_view what) const {
  if (!options_.read_only) return Status::OK();
  return Status::NotSupported(std::string(what) + " is not possible: " + dbname_ +
                              " is open read-only");
}

DB::~DB() {
  {
    MutexLock lock(mu_);
    shutting_down_ = true;
    bg_cv_.notify_all();
    done_cv_.notify_all();  // a resume retry may wait on it (db_resume.cc)
    wal_flusher_cv_.notify_all();
  }
  for (auto& t : bg_threads_) t.join();
  if (wal_flusher_.joinable()) wal_flusher_.join();
  if (recovered_ && !options_.read_only) {
    // Tables replaced while an iterator or snapshot still read them are
    // removed by the background pass after their last reader goes; the last
    // ones would otherwise wait for the next open. (Never after a failed
    // open: what is live is not known then.)
    MutexLock lock(mu_);
    RemoveObsoleteFiles();
  }
  if (wal_) {
    // A failed write may have left part of a record in the log; what is
    // still buffered (buffered WAL) must not follow it.
    MutexLock lock(mu_);
    if (wal_torn_) wal_->Truncate(wal_good_bytes_);
    wal_->Close();
  }
  // Tables and the cache go before the lock is released, so a new opener
  // never shares open files with this instance; the readers' slots hold
  // tables too.
  read_slots_.Invalidate();
  table_cache_.reset();
  if (dir_lock_) env_->UnlockFile(std::move(dir_lock_));
}

void DB::InstallSuperVersion() {
  auto sv = std::make_shared<SuperVersion>();
  sv->mem = mem_;
  sv->imms.reserve(imms_.size());
  for (auto it = imms_.rbegin(); it != imms_.rend(); ++it) sv->imms.push_back(it->mem);
  sv->version = versions_->current();
  // The memtables' tombstones are copied here, so a write that adds one
  // installs a new SuperVersion before readers may see its sequence number
  // (RunWriter).
  std::vector<RangeTombstoneList> memtable_tombstones;
  std::vector<const RangeTombstoneList*> lists{&sv->version->range_deletion_list()};
  memtable_tombstones.reserve(1 + sv->imms.size());
  auto add_memtable = [&](const MemTable& mem) {
    if (mem.NumRangeDeletions() == 0) return;
    memtable_tombstones.push_back(mem.RangeDeletions());
    lists.push_back(&memtable_tombstones.back());
  };
  add_memtable(*sv->mem);
  for (const auto& imm : sv->imms) add_memtable(*imm);
  sv->range_deletions = MakeRangeTombstoneSet(lists);
  super_version_.store(std::move(sv));
  // Before any write only the new SuperVersion shows becomes visible: the
  // caller still holds mu_, and writers publish sequence numbers after it.
  read_slots_.Invalidate();
}

Status DB::ApplyEdit(VersionEdit* edit) {
  Status s = versions_->LogAndApply(edit, &mu_);
  if (s.ok()) InstallSuperVersion();
  return s;
}

DB::ReadView DB::GetReadView(const ReadOptions& ro) {
  ReadView view;
  // The sequence number first: every write at or below it was inserted into
  // a memtable before it was published, and that memtable (or the table it
  // was flushed to) is in any SuperVersion loaded afterwards.
  view.sequence = ro.snapshot != nullptr ? ro.snapshot->sequence() : last_sequence_.load();
  view.sv = super_version_.load();
  return view;
}

// The tables one multi-get has opened, each with the data block it read last.
// Keys come in sorted order, so consecutive keys often fall in the same
// block of the same table: the lookup then skips the table cache (a mutex and
// a hash lookup) and the block cache (another), which is what makes a
// multi-get cheaper per key than single gets.
struct DB::MultiGetContext {
  struct Table {
    uint64_t number;
    std::shared_ptr<TableReader> reader;
    TableReader::BlockPin pin;
  };
  std::vector<Table> tables;  // few: one per table the keys touch

  Table* Find(uint64_t number) {
    for (auto& t : tables) {
      if (t.number == number) return &t;
    }
    return nullptr;
  }
};

Status DB::Get(const ReadOptions& ro, std::string_view key, std::string* value) {
  return Get(ro, key, [value](std::string_view found) { value->assign(found); });
}

Status DB::Get(const ReadOptions& ro, std::string_view key, ValueSink sink) {
  // The sequence number before the slot: see super_version_slots.h.
  const SequenceNumber sequence =
      ro.snapshot != nullptr ? ro.snapshot->sequence() : last_sequence_.load();
  SuperVersionSlots::Lease lease = read_slots_.Acquire([this] { return super_version_.load(); });
  if (!lease) {
    // The slot is another thread's: the SuperVersion the shared way, still
    // after the sequence number.
    stats_.gets.fetch_add(1, std::memory_order_relaxed);
    const std::shared_ptr<const SuperVersion> sv = super_version_.load();
    return GetFromView(*sv, sequence, key, sink);
  }
  lease.CountGet();
  return GetFromView(*lease->sv, sequence, key, sink, nullptr, lease.get());
}

void DB::MultiGet(const ReadOptions& ro, const std::vector<std::string_view>& keys,
                  std::vector<std::string>* values, std::vector<Status>* statuses) {
  stats_.gets.fetch_add(keys.size(), std::memory_order_relaxed);
  values->assign(keys.size(), std::string());
  statuses->assign(keys.size(), Status::OK());
  // One view for every key: one atomic load, one consistent snapshot. Keys
  // are looked up in sorted order, so consecutive lookups walk neighbouring
  // memtable nodes, index entries and data blocks, which are then warm in the
  // CPU cache and the block cache.
  const ReadView view = GetReadView(ro);
  MultiGetContext ctx;
  std::vector<uint32_t> order(keys.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&keys](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
  // Open the tables the keys may touch and start fetching each key's filter
  // line in each of them, all before the first lookup: the lookups then
  // find them in the CPU cache rather than waiting for each in turn.
  for (uint32_t i : order) {
    view.sv->version->ForEachTableForKey(keys[i], [&](int, const FileMetaData& f) {
      MultiGetContext::Table* table = ctx.Find(f.number);
      if (table == nullptr) {
        std::shared_ptr<TableReader> reader;
        if (!table_cache_->FindTable(f, &reader).ok()) return true;
        ctx.tables.push_back({f.number, std::move(reader), {}});
        table = &ctx.tables.back();
      }
      table->reader->PrefetchFilter(keys[i]);
      return true;
    });
  }
  for (size_t j = 0; j < order.size(); ++j) {
    const uint32_t i = order[j];
    if (j > 0 && keys[order[j - 1]] == keys[i]) {
      (*values)[i] = (*values)[order[j - 1]];
      (*statuses)[i] = (*statuses)[order[j - 1]];
      continue;
    }
    std::string* value = &(*values)[i];
    (*statuses)[i] = GetFromView(
        *view.sv, view.sequence, keys[i],
        [value](std::string_view found) { value->assign(found); }, &ctx);
  }
}

Status DB::GetFromView(const SuperVersion& sv, SequenceNumber sequence, std::string_view key,
                       ValueSink sink, MultiGetContext* ctx, SuperVersionSlots::Held* held) {
  LookupKey lkey(key, sequence);
  // The newest version found is hidden when a range tombstone newer than it
  // covers the key (range_tombstone.h).
  // The newest tombstone covering the key that this read sees (0: none).
  const SequenceNumber covering =
      sv.range_deletions != nullptr
          ? sv.range_deletions->MaxCoveringSequence(key, sequence)
          : 0;
  auto hidden = [covering](SequenceNumber found) { return found < covering; };
  auto from_memtable = [&](const MemTable& mem, bool* done) -> Status {
    SequenceNumber found = 0;
    std::string_view value;
    switch (mem.Get(lkey, &value, &found)) {
      case MemTable::LookupResult::kFound:
        *done = true;
        if (hidden(found)) return Status::NotFound();
        sink(value);  // the memtable outlives this call: view.sv holds it
        return Status::OK();
      case MemTable::LookupResult::kDeleted: *done = true; return Status::NotFound();
      case MemTable::LookupResult::kAbsent: break;
    }
    return Status::OK();
  };
  bool done = false;
  Status s = from_memtable(*sv.mem, &done);
  if (done) return s;
  for (const auto& imm : sv.imms) {
    s = from_memtable(*imm, &done);
    if (done) return s;
  }
  s = Status::NotFound();
  // The first table consulted, if it is in L0 and had to read a data block
  // (its filter let the key through): when the read must go on to another
  // table, the overlapping L0 cost it an extra block read (ChargeSeek). A
  // probe the filter answers costs no I/O and is not charged: with filters,
  // L0 tables below the compaction trigger are cheap to keep.
  const FileMetaData* first_l0 = nullptr;
  int probes = 0;
  sv.version->ForEachTableForKey(key, [&](int level, const FileMetaData& f) {
    if (++probes == 2 && first_l0 != nullptr) ChargeSeek(*first_l0);
    TableGetResult result;
    Status t;
    const TableReader* reader = nullptr;
    std::shared_ptr<TableReader> owned;
    // Holds the data block the value is in until the sink has it.
    TableReader::BlockPin local_pin;
    TableReader::BlockPin* pin = &local_pin;
    if (held != nullptr) {
      reader = held->FindTable(f.number);
      if (reader == nullptr) {
        t = table_cache_->FindTable(f, &owned);
        reader = owned.get();
        // Kept only where the table cache keeps tables too.
        if (t.ok() && options_.max_open_files > 0) held->KeepTable(f.number, std::move(owned));
      }
    } else if (ctx == nullptr) {
      t = table_cache_->FindTable(f, &owned);
      reader = owned.get();
    } else {
      MultiGetContext::Table* table = ctx->Find(f.number);
      if (table == nullptr) {
        std::shared_ptr<TableReader> found;
        t = table_cache_->FindTable(f, &found);
        if (t.ok()) {
          ctx->tables.push_back({f.number, std::move(found), {}});
          table = &ctx->tables.back();
        }
      }
      if (t.ok()) {
        reader = table->reader.get();
        pin = &table->pin;
      }
    }
    // Every version of the key this table may hold is older than the
    // covering tombstone, so hidden: no data block need be read to know it.
    if (t.ok() && covering != 0 && reader->properties().largest_sequence < covering) {
      return true;
    }
    SequenceNumber found = 0;
    std::string_view value;
    if (t.ok()) {
      t = reader->Get(lkey, &result, &value, TableReadOptions(), pin, &found);
      if (probes == 1 && level == 0 && t.ok() && result == TableGetResult::kNotFound &&
          reader->KeyMayMatch(key)) {
        first_l0 = &f;
      }
    }
    if (!t.ok()) {
      s = std::move(t);
      return false;
    }
    if (result == TableGetResult::kValue && !hidden(found)) {
      sink(value);
      s = Status::OK();
    }
    return result == TableGetResult::kNotFound;  // a value or a tombstone ends the search
  });
  return s;
}

// Keeps alive what an iterator reads and unpins its snapshot when it ends.
class DB::IteratorPin {
 public:
  IteratorPin(std::shared_ptr<DB> db, ReadView view) : db_(std::move(db)), view_(std::move(view)) {
    MutexLock lock(db_->mu_);
    db_->snapshots_.Add(view_.sequence);
  }
  ~IteratorPin() {
    bool pinned_replaced_tables;
    {
      MutexLock lock(db_->mu_);
      db_->snapshots_.Remove(view_.sequence);
      pinned_replaced_tables = view_.sv->version != db_->versions_->current();
    }
    // Dropped outside the mutex (it may free memtables); only then are the
    // tables this iterator alone kept unreferenced, and a removal pass can
    // delete their files now rather than after the next flush or compaction.
    view_.sv.reset();
    if (pinned_replaced_tables) {
      MutexLock lock(db_->mu_);
      db_->obsolete_files_pending_ = true;
      db_->bg_cv_.notify_all();
    }
  }

 private:
  std::shared_ptr<DB> db_;
  ReadView view_;
};

std::unique_ptr<Iterator> DB::NewIterator(const ReadOptions& ro, std::optional<std::string> lower,
                                          std::optional<std::string> upper) {
  stats_.iterators.fetch_add(1, std::memory_order_relaxed);
  ReadView view = GetReadView(ro);
  const SuperVersion& sv = *view.sv;
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(sv.mem->NewIterator());
  for (const auto& imm : sv.imms) children.push_back(imm->NewIterator());
  TableCache* tables = table_cache_.get();
  for (const auto& f : sv.version->files(0)) {
    children.push_back(tables->NewIterator(*f));
  }
  for (int level = 1; level < kNumLevels; ++level) {
    if (sv.version->files(level).empty()) continue;
    children.push_back(NewLevelIterator(sv.version->files(level), [tables](const FileMetaData& f) {
      return tables->NewIterator(f);
    }));
  }
  // Every seek of this iterator reads each L0 table and each level: charge
  // the newest L0 table when it overlaps other tables, so that a stream of
  // short scans (each a new iterator) gets L0 merged down like point reads
  // do. A long scan pays its one seek; it is charged once.
  const FileList& l0 = sv.version->files(0);
  if (!l0.empty() && (l0.size() >= 2 || sv.version->TotalBytes() > sv.version->LevelBytes(0))) {
    ChargeSeek(*l0.back());
  }
  auto merged = NewMergingIterator(std::move(children));
  const SequenceNumber sequence = view.sequence;
  auto pin = std::make_shared<IteratorPin>(shared_from_this(), std::move(view));
  merged->RegisterCleanup([pin] {});
  return NewDBIterator(std::move(merged), sequence, sv.range_deletions, std::move(lower),
                       std::move(upper));
}

const Snapshot* DB::GetSnapshot() {
  MutexLock lock(mu_);
  auto* snapshot = new Snapshot(last_sequence_.load());
  snapshots_.Add(snapshot->sequence());
  return snapshot;
}

void DB::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  {
    MutexLock lock(mu_);
    snapshots_.Remove(snapshot->sequence());
  }
  delete snapshot;
}

bool DB::GetProperty(std::string_view name, std::string* value) {
  MutexLock lock(mu_);
  auto version = versions_->current();
  if (name.starts_with("num-files-at-level")) {
    std::string_view digits = name.substr(18);
    if (digits.size() != 1 || digits[0] < '0' || digits[0] >= '0' + kNumLevels) return false;
    *value = std::to_string(version->NumFiles(digits[0] - '0'));
    return true;
  }
  size_t mem_bytes = mem_->ApproximateMemoryUsage();
  for (const auto& imm : imms_) mem_bytes += imm.mem->ApproximateMemoryUsage();
  if (name == "total-table-bytes") {
    *value = std::to_string(version->TotalBytes());
    return true;
  }
  if (name == "mapped-table-bytes") {
    *value = std::to_string(table_cache_->MappedTableBytes());
    return true;
  }
  if (name == "memtable-bytes") {
    *value = std::to_string(mem_bytes);
    return true;
  }
  if (name == "last-sequence") {
    *value = std::to_string(last_sequence_.load());
    return true;
  }
  if (name == "range-deletions") {
    uint64_t count = version->range_deletion_list().size() + mem_->NumRangeDeletions();
    for (const auto& imm : imms_) count += imm.mem->NumRangeDeletions();
    *value = std::to_string(count);
    return true;
  }
  if (name == "sstables") {
    // One line per live table: level, file number, bytes, entries, and its
    // user-key range in hex (keys are arbitrary bytes).
    auto hex = [](std::string_view internal_key) {
      static const char kDigits[] = "0123456789abcdef";
      std::string_view user = internal_key.size() >= 8
                                  ? internal_key.substr(0, internal_key.size() - 8)
                                  : internal_key;
      std::string out;
      for (unsigned char c : user) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
      }
      return out.empty() ? std::string("-") : out;
    };
    std::string out;
    for (int level = 0; level < kNumLevels; ++level) {
      for (const auto& f : version->files(level)) {
        out += std::to_string(level) + " " + std::to_string(f->number) + " " +
               std::to_string(f->file_size) + " " + std::to_string(f->num_entries) + " " +
               hex(f->smallest) + " " + hex(f->largest) + "\n";
      }
    }
    *value = std::move(out);
    return true;
  }
  if (name != "stats") return false;

  char line[256];
  std::string out;
  auto relaxed = [](const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  out += "level  files        bytes\n";
  for (int level = 0; level < kNumLevels; ++level) {
    std::snprintf(line, sizeof(line), "L%-5d %5d %12" PRIu64 "\n", level, version->NumFiles(level),
                  version->LevelBytes(level));
    out += line;
  }
  const uint64_t user = relaxed(stats_.user_bytes_written);
  const uint64_t disk = relaxed(stats_.wal_bytes_written) + relaxed(stats_.flush_bytes_written) +
                        relaxed(stats_.compaction_bytes_written);
  std::snprintf(line, sizeof(line),
                "memtables: active %zu bytes, immutable %zu, total %zu bytes\n",
                mem_->ApproximateMemoryUsage(), imms_.size(), mem_bytes);
  out += line;
  std::snprintf(line, sizeof(line),
                "writes: %" PRIu64 " in %" PRIu64 " groups, %" PRIu64 " user bytes, %" PRIu64
                " WAL bytes, %" PRIu64 " WAL syncs\n",
                relaxed(stats_.writes), relaxed(stats_.write_groups), user,
                relaxed(stats_.wal_bytes_written), relaxed(stats_.wal_syncs));
  out += line;
  std::snprintf(line, sizeof(line), "flushes: %" PRIu64 ", %" PRIu64 " bytes written\n",
                relaxed(stats_.flushes), relaxed(stats_.flush_bytes_written));
  out += line;
  std::snprintf(line, sizeof(line),
                "compactions: %" PRIu64 " (%" PRIu64 " read-triggered), %" PRIu64
                " bytes read, %" PRIu64 " bytes written\n",
                relaxed(stats_.compactions), relaxed(stats_.read_triggered_compactions),
                relaxed(stats_.compaction_bytes_read), relaxed(stats_.compaction_bytes_written));
  out += line;
  std::snprintf(line, sizeof(line), "write amplification: %.2f\n",
                user == 0 ? 0.0 : static_cast<double>(disk) / static_cast<double>(user));
  out += line;
  const BlockCache::Stats cache = block_cache_->GetStats();
  std::snprintf(line, sizeof(line),
                "block cache: %" PRIu64 " hits, %" PRIu64 " misses, %" PRIu64
                " evictions, %zu of %zu bytes used (%zu reserved for index and filter blocks)\n",
                cache.hits, cache.misses, cache.evictions, cache.bytes_in_use + cache.reserved_bytes,
                cache.capacity, cache.reserved_bytes);
  out += line;
  std::snprintf(line, sizeof(line),
                "stalls: %" PRIu64 " slowdowns, %" PRIu64 " stops, %.3f s stalled, longest %.3f s\n",
                relaxed(stats_.slowdowns), relaxed(stats_.stops),
                static_cast<double>(relaxed(stats_.stall_micros)) / 1e6,
                static_cast<double>(relaxed(stats_.max_stall_micros)) / 1e6);
  out += line;
  std::snprintf(line, sizeof(line), "reads: %" PRIu64 " gets, %" PRIu64 " iterators\n",
                relaxed(stats_.gets) + read_slots_.Gets(), relaxed(stats_.iterators));
  out += line;
  std::snprintf(line, sizeof(line), "sequence: %" PRIu64 ", snapshots pinned: %zu\n",
                last_sequence_.load(), snapshots_.size());
  out += line;
  std::snprintf(line, sizeof(line), "resumes after a lack of space: %" PRIu64 "\n",
                relaxed(stats_.resumes));
  out += line;
  if (!bg_error_.ok()) out += "background error: " + bg_error_.ToString() + "\n";
  *value = std::move(out);
  return true;
}

}  // namespace strata
