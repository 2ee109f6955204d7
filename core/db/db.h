// DB: the storage engine behind the C ABI.
//
// Writes go to a write-ahead log and a memtable; full memtables become
// immutable and background threads flush them into level-0 tables; tables
// are merged by compaction (manual now, leveled in the background later).
// docs/ARCHITECTURE.md walks through each path.
//
// Thread safety: every method is safe to call from many threads at once.
// Which members mu_ guards, and which methods run with it held (REQUIRES)
// or take it (EXCLUDES), is annotated and checked by clang's -Wthread-safety
// (scripts/check-thread-safety.sh); "used by the write leader only" is
// the write queue's discipline, which the analysis does not model.
// Lifetime: a DB is held by std::shared_ptr. Iterators hold a reference, so
// the engine (its files, its lock on the directory) lives until the last
// iterator is destroyed even after the opener drops its reference. The
// destructor stops background work and releases the directory lock; it
// must not run on a background thread (it does not: they hold no reference).
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/db/db_stats.h"
#include "core/db/read_write_options.h"
#include "core/db/snapshot.h"
#include "core/db/super_version.h"
#include "core/db/super_version_slots.h"
#include "core/db/value_sink.h"
#include "core/env.h"
#include "core/mutex.h"
#include "core/options.h"
#include "core/thread_annotations.h"
#include "core/version/file_metadata.h"
#include "core/write_batch.h"

namespace strata {

class BlockCache;
class Iterator;
class MemTable;
class RangeTombstoneSet;
class SlabPool;
class TableCache;
class Version;
class VersionEdit;
class VersionSet;
struct CompactionInputs;
namespace log {
class Writer;
}

class DB : public std::enable_shared_from_this<DB> {
 public:
  // Opens (or creates) the database in directory `path`. Busy if another
  // handle or process has it open; with options.read_only, Busy only if a
  // writer has it open (read-only handles share it), and nothing is written.
  static Status Open(const Options& options, const std::string& path, std::shared_ptr<DB>* out);

  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  ~DB();

  Status Put(const WriteOptions& wo, std::string_view key, std::string_view value) EXCLUDES(mu_);
  Status Delete(const WriteOptions& wo, std::string_view key) EXCLUDES(mu_);
  // Deletes every key in [start, end) with one range tombstone; an empty or
  // reversed range writes nothing.
  Status DeleteRange(const WriteOptions& wo, std::string_view start, std::string_view end)
      EXCLUDES(mu_);
  // Applies the whole batch or none of it.
  Status Write(const WriteOptions& wo, const WriteBatch& batch) EXCLUDES(mu_);

  // The commit of an optimistic transaction (OptimisticTransaction): writes
  // `batch` only if no key in `keys` has a version with a sequence number
  // above `since` (in a memtable or a table), else returns Conflict and
  // writes nothing. The check and the write happen in one turn of the write
  // queue, so no write can come between them. REQUIRES: a snapshot at
  // `since` is held until this returns (it keeps compaction from merging
  // away the versions the check looks for). An empty batch only checks.
  Status CommitIfUnchanged(const WriteOptions& wo, const WriteBatch& batch,
                           const std::vector<std::string_view>& keys, SequenceNumber since)
      EXCLUDES(mu_);

  // NotFound when the key is absent at the read's sequence.
  Status Get(const ReadOptions& ro, std::string_view key, std::string* value);
  // The same read, handing the value to `sink` straight from the memtable or
  // the table block it is in (no intermediate copy); the sink runs once, and
  // only when the status is OK. The view it gets is valid during the call.
  // The string form above is this with a sink that copies.
  Status Get(const ReadOptions& ro, std::string_view key, ValueSink sink);

  // Looks up every key as of one sequence number (ro.snapshot, or now).
  // (*statuses)[i] is OK with (*values)[i] set, NotFound, or an error.
  void MultiGet(const ReadOptions& ro, const std::vector<std::string_view>& keys,
                std::vector<std::string>* values, std::vector<Status>* statuses);

  // An iterator over user keys in [lower, upper) (an absent bound is open),
  // reading as of now or ro.snapshot. It keeps the engine alive.
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& ro,
                                        std::optional<std::string> lower,
                                        std::optional<std::string> upper);

  // A snapshot of the current state; release it with ReleaseSnapshot.
  const Snapshot* GetSnapshot() EXCLUDES(mu_);
  void ReleaseSnapshot(const Snapshot* snapshot) EXCLUDES(mu_);

  // Turns the memtable into a table; returns once it is durable.
  Status Flush() EXCLUDES(mu_);
  // Returns when no flush or compaction is pending or running.
  Status WaitForBackgroundWork() EXCLUDES(mu_);

  // Holds flushes and compactions back (waiting for any running one to end)
  // until as many ContinueBackgroundWork calls. Writers still stop once the
  // memtables are full. For maintenance windows, and tests that need a
  // memtable to stay unflushed.
  void PauseBackgroundWork() EXCLUDES(mu_);
  void ContinueBackgroundWork() EXCLUDES(mu_);
  // Merges every table holding keys in [begin, end] (null = open) into one
  // sorted run at the deepest level involved, dropping what no reader needs.
  Status CompactRange(const std::string_view* begin, const std::string_view* end) EXCLUDES(mu_);

  // Reads every block of every live table, checking checksums and key order.
  // Corruption naming the first bad table.
  Status Verify() EXCLUDES(mu_);

  // After writes stopped for lack of space (ENOSPC, EDQUOT), lets them go
  // on without a reopen, losing nothing: cuts a write-ahead log record that
  // failed half-way, clears the error, and lets the failed flush or
  // compaction run again. OK when writes were not stopped; the stop's own
  // error (unchanged) when it is not one a resume can undo, such as a
  // failed fsync or corruption. If space is still short, the next write,
  // flush or compaction stops writes again. The database also tries this by
  // itself, on a back-off from 200 ms to 10 s.
  Status Resume() EXCLUDES(mu_);

  // Makes an openable copy of the database in `dir` (which must not exist):
  // the memtable is flushed, tables are hard-linked (copied across
  // filesystems) and a fresh manifest lists them.
  Status Checkpoint(const std::string& dir) EXCLUDES(mu_);

  // The bytes the live tables take on disk for user keys in [start, end)
  // (an absent bound is open): whole tables inside the range count in full,
  // tables it cuts count from the data-block offsets of the bounds (their
  // index blocks), as LevelDB's GetApproximateSizes. Writes still in the
  // memtables are not counted. An empty or reversed range is 0.
  Status ApproximateSize(const std::optional<std::string>& start,
                         const std::optional<std::string>& end, uint64_t* bytes);

  // NotSupported naming `what` on a read-only handle (Options::read_only),
  // OK otherwise: every call that would write to the directory checks it.
  Status CheckWritable(std::string_view what) const;

  // Bulk ingest (db_ingest.cc): adds the tables at `paths`, written and
  // finished by SstFileWriter, atomically and newer than every write before
  // the call: all their entries get one new sequence number. Each table goes
  // to the deepest level none of whose tables (nor those of any level above)
  // overlaps its key range, level 0 when level 0 does; a memtable holding a
  // key in any table's range is flushed first. The tables are copied into
  // the database, or with `move` hard-linked (copied across filesystems)
  // and their source names removed once the ingest is durable.
  // Refused as a whole, nothing changed, when a file does not open as a
  // table, is damaged (every entry is read with checksums), was not written
  // by an SstFileWriter or was already ingested (InvalidArgument), is
  // empty, or overlaps another's key range (InvalidArgument). Writes wait
  // while the tables are put in place, and a running compaction is waited
  // for (a compaction's output could otherwise overlap a placed table).
  Status Ingest(const std::vector<std::string>& paths, bool move) EXCLUDES(mu_);

  // A named property (see kv.h's kv_property); false for an unknown name.
  bool GetProperty(std::string_view name, std::string* value) EXCLUDES(mu_);

  const Options& options() const { return options_; }
  const std::string& path() const { return dbname_; }

 private:
  struct Writer;
  struct ImmutableMemTable {
    std::shared_ptr<MemTable> mem;
    uint64_t log_number;  // the WAL holding exactly this memtable's writes
  };
  struct ReadView {
    std::shared_ptr<const SuperVersion> sv;
    SequenceNumber sequence;
  };
  class IteratorPin;

  DB(const Options& options, std::string dbname);

  // Opening (recovery.cc): the manifest, then the logs it still needs, then
  // a new log.
  Status Recover() EXCLUDES(mu_);
  Status ReplayLog(uint64_t number, SequenceNumber* max_sequence) REQUIRES(mu_);
  Status NewWal() REQUIRES(mu_);

  // Write path (db_write.cc).
  Status RunWriter(Writer* w) EXCLUDES(mu_);
  Status MakeRoomForWrite(bool force) REQUIRES(mu_);
  Status SwitchMemTable() REQUIRES(mu_);
  // Buffered WAL: the flusher thread's loop, and its flush, done in a write
  // turn of its own so that it never runs beside a leader's append.
  void WalFlushLoop() EXCLUDES(mu_);
  // Released while waiting for the turn and while writing.
  void FlushWalBuffer() REQUIRES(mu_);
  const WriteBatch* BuildBatchGroup(Writer** last_writer) REQUIRES(mu_);
  static Status CheckBatchSize(const WriteBatch& batch);
  // Conflict when some key has a version newer than `since` (db_conflict.cc).
  // REQUIRES: the caller holds the write queue's turn, not mu_.
  Status CheckUnchanged(const std::vector<std::string_view>& keys, SequenceNumber since)
      EXCLUDES(mu_);
  // The sequence number of the newest version of `key` (value or tombstone)
  // in the memtables and tables of `sv`; *found false when it has none.
  Status NewestSequence(const SuperVersion& sv, std::string_view key, SequenceNumber* seq,
                        bool* found);

  ReadView GetReadView(const ReadOptions& ro);
  // What a multi-get keeps between its lookups (db.cc).
  struct MultiGetContext;
  // On OK the value has been handed to `sink` (once), from the memtable or
  // table block that holds it. ctx, when given, caches table readers and
  // their last blocks.
  // held, when given, keeps the readers of the tables consulted (only one
  // of ctx and held is given).
  Status GetFromView(const SuperVersion& sv, SequenceNumber sequence, std::string_view key,
                     ValueSink sink, MultiGetContext* ctx = nullptr,
                     SuperVersionSlots::Held* held = nullptr);
  // Publishes a new SuperVersion from mem_, imms_ and the current Version.
  void InstallSuperVersion() REQUIRES(mu_);
  // VersionSet::LogAndApply, then InstallSuperVersion.
  Status ApplyEdit(VersionEdit* edit) REQUIRES(mu_);

  // Background work (db_background.cc).
  // With two or more background threads, one only flushes (memtables must
  // drain for writers to go on) and the others only compact, at a lower CPU
  // priority (Options::compaction_nice); a lone thread does both.
  enum class BackgroundRole { kAny, kFlush, kCompaction };
  void BackgroundLoop(BackgroundRole role) EXCLUDES(mu_);
  void MaybeScheduleWork();
  bool HasBackgroundWork(BackgroundRole role) const REQUIRES(mu_);
  Status FlushOldestImmutable() REQUIRES(mu_);
  Status WriteLevel0Table(MemTable* mem, FileMetaData* meta);
  // Deletes files no Version, memtable or work in progress needs.
  // mu_ is released during the deletions.
  void RemoveObsoleteFiles() REQUIRES(mu_);
  void RemoveObsoleteFilesCounted() REQUIRES(mu_);
  // Keeps the first failure of a write, flush or compaction: from then on
  // writes fail with it (prefixed with what failed, `during`) until the
  // database is reopened or, when `resumable` (a lack of space that lost
  // nothing acknowledged), until Resume succeeds.
  void RecordBackgroundError(const Status& s, std::string_view during, bool resumable)
      REQUIRES(mu_);

  // Resuming after a no-space stop (db_resume.cc).
  // mu_ is released while waiting for the turn.
  Status ResumeLocked() REQUIRES(mu_);
  // The retry of a resumable stop on a back-off, by the flushing thread.
  void RetryResumeAfterBackoff() REQUIRES(mu_);

  // Compaction (db_compact.cc).
  bool NeedsCompaction() const REQUIRES(mu_);
  // Counts one read that consulted `l0_table` and then had to read other
  // tables too; when the table has used up its allowed seeks, asks for an
  // L0 compaction (read-triggered compaction). Thread-safe, lock-free but
  // for that rare request.
  void ChargeSeek(const FileMetaData& l0_table) EXCLUDES(mu_);
  Status BackgroundCompaction() REQUIRES(mu_);
  Status RunCompaction(CompactionInputs* inputs) REQUIRES(mu_);
  // Fills the inputs' range-tombstone fields.
  void PlanRangeDeletions(CompactionInputs* inputs) REQUIRES(mu_);

  const Options options_;
  const std::string dbname_;
  Env* const env_;
  std::unique_ptr<FileLock> dir_lock_;
  std::shared_ptr<BlockCache> block_cache_;
  std::unique_ptr<TableCache> table_cache_;

  Mutex mu_;
  CondVar bg_cv_;    // background threads wait for work
  CondVar done_cv_;  // foreground waits for background progress
  std::unique_ptr<VersionSet> versions_ PT_GUARDED_BY(mu_);  // set by Recover
  // The memtables' slabs, reused from one memtable to the next.
  const std::shared_ptr<SlabPool> slab_pool_;
  std::shared_ptr<MemTable> mem_ GUARDED_BY(mu_);  // written by the leader
  std::deque<ImmutableMemTable> imms_ GUARDED_BY(mu_);  // oldest first
  std::unique_ptr<log::Writer> wal_;                   // used by the write leader only
  uint64_t wal_number_ GUARDED_BY(mu_) = 0;
  bool wal_dir_synced_ = false;                        // used by the write leader only
  // Logs of memtables not yet flushed, never synced (sync=false), oldest
  // first; see SwitchMemTable. Used by the write leader only.
  struct UnsyncedLog {
    uint64_t number;
    std::unique_ptr<log::Writer> writer;
  };
  std::vector<UnsyncedLog> unsynced_logs_;
  // Logs set aside by SwitchMemTable, closed by the next RemoveObsoleteFiles
  // pass with the mutex released.
  std::vector<std::unique_ptr<log::Writer>> logs_to_close_ GUARDED_BY(mu_);
  std::deque<Writer*> writers_ GUARDED_BY(mu_);
  // Group commit delay (RunWriter): the size of the last synced group, the
  // average fsync time, and whether a leader waits for company.
  size_t last_sync_group_ GUARDED_BY(mu_) = 0;
  uint64_t sync_micros_average_ = 0;                   // used by the write leader only
  bool group_forming_ GUARDED_BY(mu_) = false;
  CondVar group_forming_cv_;
  WriteBatch group_batch_;                             // used by the write leader only
  WriteBatch leader_batch_;                            // used by the write leader only
  std::atomic<SequenceNumber> last_sequence_{0};       // visible to readers
  std::atomic<std::shared_ptr<const SuperVersion>> super_version_;  // written under mu_
  // Point reads' per-thread hold on super_version_ (invalidated with every
  // new one) and on the table readers they use.
  SuperVersionSlots read_slots_;
  SnapshotList snapshots_ GUARDED_BY(mu_);
  std::set<uint64_t> pending_outputs_ GUARDED_BY(mu_);
  Status bg_error_ GUARDED_BY(mu_);
  bool bg_error_resumable_ GUARDED_BY(mu_) = false;
  uint64_t resume_backoff_ms_ GUARDED_BY(mu_) = 0;  // 0: no retry yet
  // A WAL append or flush failed: the log may end in part of a record, past
  // wal_good_bytes_ (its size after the last group written whole). Written
  // by the write leader; read by Resume, which takes the leader's turn.
  bool wal_torn_ GUARDED_BY(mu_) = false;
  uint64_t wal_good_bytes_ = 0;                        // used by the write leader only
  bool flush_running_ GUARDED_BY(mu_) = false;
  int manual_compactions_ GUARDED_BY(mu_) = 0;  // requested or running
  bool manual_running_ GUARDED_BY(mu_) = false;
  bool compaction_running_ GUARDED_BY(mu_) = false;  // background only
  std::string compact_pointers_[kNumLevels] GUARDED_BY(mu_);  // per level
  bool shutting_down_ GUARDED_BY(mu_) = false;
  bool recovered_ = false;  // Recover() succeeded; set before background threads start
  int background_paused_ GUARDED_BY(mu_) = 0;
  int file_removals_running_ GUARDED_BY(mu_) = 0;
  // An iterator that pinned replaced tables went: a removal pass is due
  // (done by the flushing thread).
  bool obsolete_files_pending_ GUARDED_BY(mu_) = false;
  std::atomic<bool> l0_read_triggered_{false};         // set by readers, see ChargeSeek
  std::vector<std::thread> bg_threads_;
  // Buffered WAL (options_.wal_buffer_bytes > 0, db_write.cc): the thread
  // that writes out a buffer no write filled within wal_buffer_delay_ms.
  std::thread wal_flusher_;
  CondVar wal_flusher_cv_;
  bool wal_flush_wanted_ GUARDED_BY(mu_) = false;
  DbStats stats_;
};

}  // namespace strata
