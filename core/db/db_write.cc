// The write path: a queue of writers with group commit.
//
// Each writer enqueues itself; the writer at the front becomes the leader,
// gathers the batches queued behind it into one group, appends the group to
// the WAL as one record (one write(2), and one fsync when any member asked for
// sync), inserts it into the memtable, then wakes the members it wrote for.
// The mutex is released during the WAL append and the memtable insert: only
// the leader touches the WAL and inserts into the memtable, and readers of
// the memtable never need the mutex.
#include <chrono>
#include <thread>

#include "core/db/db.h"
#include "core/db/writer.h"
#include "core/memtable/memtable.h"
#include "core/version/version_set.h"
#include "core/wal/log_writer.h"

namespace strata {

namespace {
// A group grows to at most this many bytes, and to at most 128 KiB beyond a
// small leader's batch, so that a small write is not delayed behind a large
// group's WAL append.
constexpr size_t kMaxGroupBytes = 1 << 20;
constexpr size_t kSmallBatchBytes = 128 << 10;

class MemTableInserter : public WriteBatch::Handler {
 public:
  MemTableInserter(MemTable* mem, SequenceNumber first) : mem_(mem), seq_(first) {}
  void Put(std::string_view k, std::string_view v) override {
    mem_->Add(seq_++, ValueKind::kValue, k, v);
  }
  void Delete(std::string_view k) override { mem_->Add(seq_++, ValueKind::kDeletion, k, {}); }
  void DeleteRange(std::string_view start, std::string_view end) override {
    mem_->AddRangeDeletion(seq_++, start, end);
  }

 private:
  MemTable* mem_;
  SequenceNumber seq_;
};
}  // namespace

Status DB::Put(const WriteOptions& wo, std::string_view key, std::string_view value) {
  WriteBatch batch;
  batch.Put(key, value);
  return Write(wo, batch);
}

Status DB::Delete(const WriteOptions& wo, std::string_view key) {
  WriteBatch batch;
  batch.Delete(key);
  return Write(wo, batch);
}

Status DB::DeleteRange(const WriteOptions& wo, std::string_view start, std::string_view end) {
  if (!(start < end)) return Status::OK();
  WriteBatch batch;
  batch.DeleteRange(start, end);
  return Write(wo, batch);
}

Status DB::Write(const WriteOptions& wo, const WriteBatch& batch) {
  STRATA_RETURN_IF_ERROR(CheckWritable("writing"));
  STRATA_RETURN_IF_ERROR(CheckBatchSize(batch));
  Writer w;
  w.batch = &batch;
  w.sync = wo.sync || options_.sync;
  return RunWriter(&w);
}

Status DB::CheckBatchSize(const WriteBatch& batch) {
  // Refused before it joins the queue: a batch the WAL cannot take as one
  // record would otherwise fail in the middle of the write path, where any
  // failure must stop writes (the log may end in a partial record).
  if (batch.ByteSize() > kMaxWriteBatchBytes) {
    return Status::InvalidArgument("write batch of " + std::to_string(batch.ByteSize()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(kMaxWriteBatchBytes) +
                                   " bytes; nothing was written");
  }
  return Status::OK();
}

Status DB::CommitIfUnchanged(const WriteOptions& wo, const WriteBatch& batch,
                             const std::vector<std::string_view>& keys, SequenceNumber since) {
  STRATA_RETURN_IF_ERROR(CheckWritable("committing a transaction"));
  STRATA_RETURN_IF_ERROR(CheckBatchSize(batch));
  Writer w;
  w.batch = &batch;
  w.sync = wo.sync || options_.sync;
  w.unchanged_keys = &keys;
  w.unchanged_since = since;
  return RunWriter(&w);
}

Status DB::RunWriter(Writer* w) {
  MutexLock lock(mu_);
  writers_.push_back(w);
  if (group_forming_) group_forming_cv_.notify_one();
  while (!w->done && w != writers_.front()) w->cv.Wait(&mu_);
  if (w->done) return w->status;

  // Group commit delay, for synced writes: an fsync costs the same for one
  // writer as for many, and the writers of the previous group come back a
  // few microseconds after this leader took over, too late to share its
  // fsync. When the last synced group was larger than the queue now, wait
  // for them, at most half an fsync (PostgreSQL's commit_delay, adaptive).
  // A lone synced writer never waits.
  // A checked commit (CommitIfUnchanged) takes no company, so it never waits.
  if (w->sync && w->batch != nullptr && w->unchanged_keys == nullptr &&
      last_sync_group_ > writers_.size()) {
    const uint64_t delay = std::min<uint64_t>(sync_micros_average_ / 2, 1000);
    if (delay > 0) {
      group_forming_ = true;
      group_forming_cv_.WaitFor(&mu_, std::chrono::microseconds(delay), [&]() REQUIRES(mu_) {
        return writers_.size() >= last_sync_group_;
      });
      group_forming_ = false;
    }
  }

  // This writer leads a group (or, with no batch, asks for a memtable switch).
  Status s = MakeRoomForWrite(/*force=*/w->batch == nullptr);
  Writer* last_writer = w;
  if (s.ok() && w->unchanged_keys != nullptr) {
    // This is the leader's turn, so every earlier write is in a memtable and
    // no other can be applied until the turn ends: the check and the write
    // below are atomic. The check reads lock-free, as a Get does.
    lock.unlock();
    s = CheckUnchanged(*w->unchanged_keys, w->unchanged_since);
    lock.lock();
  }
  if (s.ok() && w->batch != nullptr) {
    const WriteBatch* group = BuildBatchGroup(&last_writer);
    bool sync = false;
    uint64_t members = 0;
    for (Writer* m : writers_) {
      sync |= m->sync;
      ++members;
      if (m == last_writer) break;
    }
    const SequenceNumber first = last_sequence_.load() + 1;
    const uint32_t count = group->Count();
    if (group == &group_batch_) {
      group_batch_.SetSequence(first);
    } else {
      // A lone batch is the caller's const object: copy only its header.
      leader_batch_.Clear();
      leader_batch_.Append(*group);
      leader_batch_.SetSequence(first);
      group = &leader_batch_;
    }
    MemTable* mem = mem_.get();
    // Buffered WAL: unsynced groups stay in the log writer's buffer until
    // it fills (AddRecord writes it then) or the flusher's delay runs out.
    const bool wal_buffered = options_.wal_buffer_bytes > 0 && !options_.sync;
    bool wal_left_buffered = false;
    lock.unlock();
    // Where a failure struck decides whether the database may resume after
    // it (Resume): a failed append or flush leaves at most a partial record,
    // which Resume cuts; a failed fsync may have lost pages the kernel held
    // for earlier, acknowledged writes, which nothing here can bring back.
    bool wal_write_failed = false;
    if (count > 0) {
      s = wal_->AddRecord(group->Contents());
      wal_write_failed = !s.ok();
      if (s.ok() && sync) {
        // Older logs first (see SwitchMemTable): a synced write makes every
        // write before it durable.
        for (UnsyncedLog& log : unsynced_logs_) {
          s = log.writer->Sync();
          if (!s.ok()) break;
        }
        if (s.ok()) {
          for (UnsyncedLog& log : unsynced_logs_) log.writer->Close();
          unsynced_logs_.clear();
        }
      }
      if (s.ok() && sync && !wal_dir_synced_) {
        // See NewWal: the log's directory entry, once per log.
        s = env_->SyncDir(dbname_);
        if (s.ok()) wal_dir_synced_ = true;
      }
      if (s.ok() && sync) {
        const uint64_t start = env_->NowMicros();
        s = wal_->Sync();
        // A moving average of the fsync's cost bounds the group commit delay.
        const uint64_t took = env_->NowMicros() - start;
        sync_micros_average_ = (sync_micros_average_ * 7 + took) / 8;
      } else if (s.ok() && !wal_buffered) {
        s = wal_->Flush();
        wal_write_failed = !s.ok();
      }
      if (s.ok()) {
        wal_good_bytes_ = wal_->Size();
        wal_left_buffered = wal_->BufferedBytes() > 0;
        MemTableInserter inserter(mem, first);
        s = group->Iterate(&inserter);
      }
    }
    lock.lock();
    if (wal_left_buffered && !wal_flush_wanted_) {
      wal_flush_wanted_ = true;
      wal_flusher_cv_.notify_one();
    }
    if (sync) last_sync_group_ = members;
    if (s.ok()) {
      // Readers consult range tombstones through the SuperVersion, so a
      // group with one publishes a new SuperVersion before its sequence
      // number: a reader that can see the tombstone's number finds it.
      if (group->HasRangeDeletion()) InstallSuperVersion();
      // Readers see the group only once all of it is in the memtable.
      last_sequence_.store(first + count - 1);
      stats_.writes.fetch_add(members, std::memory_order_relaxed);
      stats_.write_groups.fetch_add(1, std::memory_order_relaxed);
      stats_.user_bytes_written.fetch_add(group->ByteSize(), std::memory_order_relaxed);
      stats_.wal_bytes_written.fetch_add(group->ByteSize() + 12, std::memory_order_relaxed);
      if (sync) stats_.wal_syncs.fetch_add(1, std::memory_order_relaxed);
    } else {
      // The WAL may now end in a partial record: no later write may follow it
      // until Resume has cut it back to wal_good_bytes_.
      wal_torn_ = true;
      RecordBackgroundError(s, "write-ahead log write", wal_write_failed && s.IsNoSpace());
    }
  }

  while (true) {
    Writer* ready = writers_.front();
    writers_.pop_front();
    if (ready != w) {
      ready->status = s;
      ready->done = true;
      ready->cv.notify_one();
    }
    if (ready == last_writer) break;
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return s;
}

const WriteBatch* DB::BuildBatchGroup(Writer** last_writer) {
  Writer* first = writers_.front();
  const WriteBatch* result = first->batch;
  size_t size = first->batch->ByteSize();
  size_t max_size = kMaxGroupBytes;
  if (size <= kSmallBatchBytes) max_size = size + kSmallBatchBytes;
  *last_writer = first;
  if (first->unchanged_keys != nullptr) return result;  // a checked commit goes alone
  for (size_t i = 1; i < writers_.size(); ++i) {
    Writer* w = writers_[i];
    if (w->batch == nullptr) break;            // a memtable switch request leads its own turn
    if (w->unchanged_keys != nullptr) break;   // so does a checked commit
    if (w->sync && !first->sync) break;        // a sync write must not be acknowledged unsynced
    size += w->batch->ByteSize();
    if (size > max_size) break;
    if (result == first->batch) {
      group_batch_.Clear();
      group_batch_.Append(*first->batch);
      result = &group_batch_;
    }
    group_batch_.Append(*w->batch);
    *last_writer = w;
  }
  return result;
}

Status DB::MakeRoomForWrite(bool force) {
  bool slowed = false;
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    const int l0_files = versions_->current()->NumFiles(0);
    if (!slowed && l0_files >= options_.l0_slowdown_trigger) {
      // Many L0 tables: give compaction a millisecond rather than stop later
      // for seconds. Done once per write so no writer is delayed for long.
      const uint64_t start = env_->NowMicros();
      mu_.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      mu_.lock();
      stats_.slowdowns.fetch_add(1, std::memory_order_relaxed);
      stats_.AddStall(env_->NowMicros() - start);
      slowed = true;
      continue;
    }
    // An empty memtable is never switched: its arena alone may exceed a
    // tiny memtable_bytes, and switching it would only make another.
    if (mem_->NumEntries() == 0 && mem_->NumRangeDeletions() == 0) return Status::OK();
    if (!force && mem_->EntryMemoryUsage() < options_.memtable_bytes) return Status::OK();
    if (static_cast<int>(imms_.size()) >= options_.max_immutable_memtables ||
        l0_files >= options_.l0_stop_trigger) {
      // Wait for a flush or compaction to make room.
      const uint64_t start = env_->NowMicros();
      stats_.stops.fetch_add(1, std::memory_order_relaxed);
      MaybeScheduleWork();
      done_cv_.WaitFor(&mu_, std::chrono::milliseconds(100));
      stats_.AddStall(env_->NowMicros() - start);
      continue;
    }
    STRATA_RETURN_IF_ERROR(SwitchMemTable());
    force = false;
  }
}

void DB::WalFlushLoop() {
  MutexLock lock(mu_);
  while (!shutting_down_) {
    if (!wal_flush_wanted_) {
      wal_flusher_cv_.Wait(&mu_);
      continue;
    }
    // The first write buffered since the last flush waits at most this long.
    wal_flusher_cv_.WaitFor(&mu_, std::chrono::milliseconds(options_.wal_buffer_delay_ms),
                            [this]() REQUIRES(mu_) { return shutting_down_; });
    if (shutting_down_) break;  // the destructor's Close writes the buffer
    wal_flush_wanted_ = false;
    FlushWalBuffer();
  }
}

void DB::FlushWalBuffer() {
  // The leader's turn, as Resume takes it: the log writer is the leader's.
  Writer turn;
  writers_.push_back(&turn);
  while (&turn != writers_.front()) turn.cv.Wait(&mu_);
  if (bg_error_.ok()) {
    mu_.unlock();
    Status s = wal_->Flush();
    mu_.lock();
    if (!s.ok()) {
      // What failed was acknowledged and is still buffered: Resume cuts the
      // file back to the last whole write and the next flush writes it again.
      wal_torn_ = true;
      RecordBackgroundError(s, "write-ahead log write", s.IsNoSpace());
    }
  }
  writers_.pop_front();
  if (!writers_.empty()) writers_.front()->cv.notify_one();
}

Status DB::SwitchMemTable() {
  // The old WAL's contents must have reached the OS before it is set aside
  // (a buffered WAL's are written here; otherwise every group is flushed
  // before it is acknowledged): a crash must never lose an older log's tail
  // and keep a newer log's writes. Then close it and start a new one.
  if (wal_->BufferedBytes() > 0) {
    Status s = wal_->Flush();
    if (!s.ok()) {
      wal_torn_ = true;
      RecordBackgroundError(s, "write-ahead log write", s.IsNoSpace());
      return s;
    }
  }
  std::unique_ptr<log::Writer> old = std::move(wal_);
  const uint64_t old_number = wal_number_;
  Status s = NewWal();
  if (!s.ok()) {
    wal_ = std::move(old);
    wal_number_ = old_number;
    RecordBackgroundError(s, "creating a write-ahead log", s.IsNoSpace());
    return s;
  }
  // A log is closed (its reserved tail trimmed, its descriptor released) by
  // the flushing thread, never here: closing a 64 MiB mapped log took
  // 11-15 ms on this machine's ext4, a stall of the write that switched.
  // Its records are whole and flushed to the OS (synced too, with sync), and
  // recovery reads an untrimmed log as it reads a closed one.
  if (options_.sync) {
    s = old->Sync();
    logs_to_close_.push_back(std::move(old));
  } else {
    // Kept open until its memtable is in a table: a later synced write
    // (KV_WRITE_SYNC) must make the writes in it durable too, or a power
    // loss could keep that write and lose earlier ones. Logs whose memtables
    // are flushed are closed now.
    const uint64_t oldest_needed = versions_->log_number();
    std::erase_if(unsynced_logs_, [&](UnsyncedLog& log) REQUIRES(mu_) {
      if (log.number >= oldest_needed) return false;
      logs_to_close_.push_back(std::move(log.writer));  // obsolete: its contents are in tables
      return true;
    });
    unsynced_logs_.push_back({old_number, std::move(old)});
  }
  if (!logs_to_close_.empty()) obsolete_files_pending_ = true;
  // The switch completes even when the old log failed to sync or close: the
  // new log is in place, so the memtable must go with the log that holds its
  // writes. Otherwise a flush finishing meanwhile would record the new log
  // as the oldest one needed, declaring the old one (and acknowledged writes
  // in it) obsolete.
  imms_.push_back({std::move(mem_), old_number});
  mem_ = std::make_shared<MemTable>(options_.memtable, options_.memtable_index,
                                    options_.memtable_bytes, slab_pool_);
  InstallSuperVersion();
  if (!s.ok()) {
    // A failed fsync of the old log: as in RunWriter, not resumable.
    RecordBackgroundError(s, "closing the write-ahead log", /*resumable=*/false);
    return s;
  }
  MaybeScheduleWork();
  return Status::OK();
}

}  // namespace strata
