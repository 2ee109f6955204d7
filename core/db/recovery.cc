// Opening a database: DB::Open, then recovery — the manifest replayed into
// the version set (VersionSet::Recover), every log it names as still needed
// replayed into memtables (checked batch by batch: WriteBatch::Validate),
// then a new log for the writes to come (DB::NewWal). The rest of the DB is
// in db.cc (reads, snapshots, properties, shutdown) and the files named
// there.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "core/cache/block_cache.h"
#include "core/db/db.h"
#include "core/filename.h"
#include "core/memtable/memtable.h"
#include "core/table/table_cache.h"
#include "core/version/version_set.h"
#include "core/wal/log_reader.h"
#include "core/wal/log_writer.h"

namespace strata {

Status DB::Open(const Options& options, const std::string& path, std::shared_ptr<DB>* out) {
  out->reset();
  if (path.empty()) return Status::InvalidArgument("database path is empty");
  STRATA_RETURN_IF_ERROR(options.Validate());
  std::shared_ptr<DB> db(new DB(options, path));
  STRATA_RETURN_IF_ERROR(db->Recover());
  *out = std::move(db);
  return Status::OK();
}

Status DB::Recover() {
  Env* env = env_;
  const bool read_only = options_.read_only;
  if (!env->FileExists(dbname_)) {
    if (read_only) {
      return Status::InvalidArgument(dbname_ + " does not exist (a read-only open creates nothing)");
    }
    if (!options_.create_if_missing) {
      return Status::InvalidArgument(dbname_ + " does not exist (create_if_missing is false)");
    }
  }
  if (read_only) {
    // Shared, so read-only handles coexist; a writer holds it exclusively,
    // so the two exclude each other. A directory without LOCK has never been
    // opened for writing (a fresh checkpoint): nothing holds it, and making
    // the file would be a write, so the open goes on without a lock. (A
    // writer that opens it later is then not excluded; kv.h says so.)
    Status s = env->LockFileShared(LockFileName(dbname_), &dir_lock_);
    if (!s.ok() && !s.IsNotFound()) return s;
  } else {
    STRATA_RETURN_IF_ERROR(env->CreateDir(dbname_));
    STRATA_RETURN_IF_ERROR(env->LockFile(LockFileName(dbname_), &dir_lock_));
  }
  block_cache_ = std::make_shared<BlockCache>(options_.block_cache_bytes);
  table_cache_ = std::make_unique<TableCache>(dbname_, options_, block_cache_.get(),
                                              static_cast<size_t>(options_.max_open_files));
  versions_ = std::make_unique<VersionSet>(dbname_, env);
  // No other thread exists yet; the mutex is taken for the analysis' sake
  // (everything below touches state guarded by it) and costs nothing.
  MutexLock lock(mu_);
  versions_->SetOnInstall(
      [tables = table_cache_.get()](const Version& v) { tables->SetLiveTableBytes(v.TotalBytes()); });

  // Every number in use on disk is counted before the first file is made:
  // recovery writes a new manifest (and a new database its first one), and
  // a crash can leave files newer than any manifest records, such as the
  // manifest of an open that died before switching CURRENT. Files are
  // created exclusively, so a number taken would fail the open.
  std::vector<std::string> present;
  STRATA_RETURN_IF_ERROR(env->GetChildren(dbname_, &present));
  for (const auto& name : present) {
    uint64_t number;
    switch (ParseFileName(name, &number)) {
      case FileKind::kOutOfRange:
        return Status::Corruption(OutOfRangeFileMessage(dbname_, name));
      case FileKind::kLog:
      case FileKind::kTable:
      case FileKind::kManifest:
      case FileKind::kTemp:
        versions_->MarkFileNumberUsed(number);
        break;
      case FileKind::kCurrent:
      case FileKind::kLock:
      case FileKind::kUnknown:
        break;
    }
  }

  const bool exists = env->FileExists(CurrentFileName(dbname_));
  if (exists) {
    if (options_.error_if_exists) {
      return Status::InvalidArgument(dbname_ + " already exists (error_if_exists is true)");
    }
    STRATA_RETURN_IF_ERROR(versions_->Recover(/*start_manifest=*/!read_only));
  } else {
    // CURRENT becomes durable before any log or table is written, so tables
    // or logs without it mean CURRENT was lost: starting an empty database
    // here would delete them as leftovers.
    for (const auto& name : present) {
      uint64_t number;
      const FileKind kind = ParseFileName(name, &number);
      if (kind == FileKind::kLog || kind == FileKind::kTable) {
        return Status::Corruption("CURRENT is missing in " + dbname_ + ", which holds " + name +
                                  ": the database is damaged (kv_repair can rebuild it)");
      }
    }
    if (read_only) {
      return Status::InvalidArgument(dbname_ + " holds no database (a read-only open creates "
                                     "nothing)");
    }
    if (!options_.create_if_missing) {
      return Status::InvalidArgument(dbname_ + " holds no database (create_if_missing is false)");
    }
    STRATA_RETURN_IF_ERROR(versions_->CreateNew());
  }

  // Replay every WAL the manifest does not cover, oldest first. Each becomes
  // an immutable memtable that the background flushes as usual, so reopening
  // costs one read of the logs and no table writes.
  std::vector<std::string> names;
  STRATA_RETURN_IF_ERROR(env->GetChildren(dbname_, &names));
  std::vector<uint64_t> logs;
  for (const auto& name : names) {
    uint64_t number;
    FileKind kind = ParseFileName(name, &number);
    if (kind == FileKind::kLog || kind == FileKind::kTable || kind == FileKind::kManifest ||
        kind == FileKind::kTemp) {
      versions_->MarkFileNumberUsed(number);
    }
    if (kind == FileKind::kLog && number >= versions_->log_number()) logs.push_back(number);
  }
  std::sort(logs.begin(), logs.end());
  // Every table the manifest lists must be there; finding out at open beats
  // failing on the first read that needs it.
  {
    std::set<uint64_t> on_disk;
    for (const auto& name : names) {
      uint64_t number;
      if (ParseFileName(name, &number) == FileKind::kTable) on_disk.insert(number);
    }
    std::set<uint64_t> listed;
    versions_->AddLiveFiles(&listed);
    for (uint64_t number : listed) {
      if (!on_disk.count(number)) {
        return Status::Corruption("table " + TableFileName(dbname_, number) +
                                  " listed in the manifest is missing");
      }
    }
    // A manifest that names no log yet (that of a new database or a
    // checkpoint) has seen no flush: the first open records its log before
    // any write. A table it does not list means the manifest lost its later
    // edits; going on would delete that table as a leftover.
    if (versions_->log_number() == 0) {
      for (uint64_t number : on_disk) {
        if (!listed.count(number)) {
          return Status::Corruption("the manifest of " + dbname_ + " names no log, yet table " +
                                    TableFileName(dbname_, number) + " is not in it: the "
                                    "manifest lost its later edits (kv_repair can rebuild the "
                                    "database)");
        }
      }
    }
  }
  SequenceNumber max_sequence = versions_->last_sequence();
  for (uint64_t number : logs) STRATA_RETURN_IF_ERROR(ReplayLog(number, &max_sequence));
  last_sequence_.store(max_sequence);
  versions_->SetLastSequence(max_sequence);

  mem_ = std::make_shared<MemTable>(options_.memtable, options_.memtable_index,
                                    options_.memtable_bytes, slab_pool_);
  if (read_only) {
    // The replayed logs stay in memory as immutable memtables that are never
    // flushed; no log, manifest or background thread is started, and no file
    // is removed (a writer's leftovers are its business).
    InstallSuperVersion();
    recovered_ = true;
    return Status::OK();
  }
  STRATA_RETURN_IF_ERROR(NewWal());
  // The manifest may name this log as the oldest one needed (just below, or
  // when a replayed log is flushed), so its entry must be durable first.
  // (After a memtable switch, the flush's own directory fsync, made after it
  // writes its table and before its manifest edit, covers the new log.)
  STRATA_RETURN_IF_ERROR(env->SyncDir(dbname_));
  wal_dir_synced_ = true;
  if (imms_.empty()) {
    // Nothing to flush: record now that older WALs are obsolete.
    VersionEdit edit;
    edit.SetLogNumber(wal_number_);
    STRATA_RETURN_IF_ERROR(versions_->LogAndApply(&edit, &mu_));
  }
  InstallSuperVersion();
  RemoveObsoleteFiles();
  recovered_ = true;

  for (int i = 0; i < options_.background_threads; ++i) {
    BackgroundRole role = BackgroundRole::kAny;
    if (options_.background_threads > 1) {
      role = i == 0 ? BackgroundRole::kFlush : BackgroundRole::kCompaction;
    }
    bg_threads_.emplace_back([this, role] { BackgroundLoop(role); });
  }
  if (options_.wal_buffer_bytes > 0 && !options_.sync) {
    wal_flusher_ = std::thread([this] { WalFlushLoop(); });
  }
  MaybeScheduleWork();
  return Status::OK();
}

Status DB::ReplayLog(uint64_t number, SequenceNumber* max_sequence) {
  const std::string path = LogFileName(dbname_, number);
  uint64_t size = 0;
  std::unique_ptr<SequentialFile> file;
  STRATA_RETURN_IF_ERROR(env_->GetFileSize(path, &size));
  STRATA_RETURN_IF_ERROR(env_->NewSequentialFile(path, &file));
  log::Reader reader(std::move(file), path, size);

  // Stores a batch's operations in the memtable, unlinked, at consecutive
  // sequence numbers.
  struct Loader : WriteBatch::Handler {
    MemTable* mem;
    std::vector<const char*>* entries;
    SequenceNumber seq;
    void Put(std::string_view k, std::string_view v) override {
      entries->push_back(mem->AddUnlinked(seq++, ValueKind::kValue, k, v));
    }
    void Delete(std::string_view k) override {
      entries->push_back(mem->AddUnlinked(seq++, ValueKind::kDeletion, k, {}));
    }
    void DeleteRange(std::string_view start, std::string_view end) override {
      mem->AddRangeDeletion(seq++, start, end);
    }
  };

  // The log holds writes in arrival order, which for random keys makes every
  // memtable insert a cold search from the head. So each operation goes into
  // the memtable's memory unlinked, and LinkAll links them all in sorted
  // order, where the skip list's finger makes each link an append: replaying
  // a full log is several times faster, and needs little memory beyond the
  // memtable itself (a pointer and a 16-byte sort key per operation).
  auto mem = std::make_shared<MemTable>(options_.memtable, options_.memtable_index,
                                    options_.memtable_bytes, slab_pool_);
  std::vector<const char*> entries;
  std::string record;
  WriteBatch batch;
  SequenceNumber last_logged = 0;  // the last sequence number of the batches so far
  while (reader.ReadRecord(&record)) {
    Status s = batch.SetContents(record);
    if (s.ok()) s = batch.Validate();
    if (!s.ok()) return Status::Corruption(path + ": " + s.message());
    // The writer logs only non-empty batches, at strictly increasing
    // sequence numbers: a number used twice would break the memtable's
    // one-entry-per-(key, sequence) rule (regressions:
    // tests/fuzz/corpus/wal_recovery).
    if (batch.Count() > 0) {
      if (batch.Sequence() <= last_logged) {
        return Status::Corruption(path + ": sequence numbers go backwards");
      }
      last_logged = batch.Sequence() + batch.Count() - 1;
    }
    Loader loader;
    loader.mem = mem.get();
    loader.entries = &entries;
    loader.seq = batch.Sequence();
    batch.Iterate(&loader);
    if (batch.Count() > 0) {
      *max_sequence = std::max(*max_sequence, batch.Sequence() + batch.Count() - 1);
    }
  }
  STRATA_RETURN_IF_ERROR(reader.status());
  mem->LinkAll(&entries);
  if (mem->NumEntries() > 0 || mem->NumRangeDeletions() > 0) {
    imms_.push_back({std::move(mem), number});
  }
  return Status::OK();
}

Status DB::NewWal() {
  const uint64_t number = versions_->NewFileNumber();
  std::unique_ptr<WritableFile> file;
  const std::string path = LogFileName(dbname_, number);
  STRATA_RETURN_IF_ERROR(options_.wal_mmap ? env_->NewExclusiveMappedWritableFile(path, &file)
                                            : env_->NewExclusiveWritableFile(path, &file));
  // The new log's directory entry must be durable before a write synced
  // through it is acknowledged, but nothing needs it sooner: the first
  // synced write does it (RunWriter), outside the mutex. Done here, a
  // directory fsync would stall every writer at each memtable switch.
  wal_dir_synced_ = false;
  wal_ = std::make_unique<log::Writer>(std::move(file),
                                       options_.sync ? 0 : options_.wal_buffer_bytes);
  wal_number_ = number;
  wal_good_bytes_ = 0;
  return Status::OK();
}

}  // namespace strata
