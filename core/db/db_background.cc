// Background work: flushing immutable memtables to level-0 tables, and
// deleting files that no Version, iterator or running job still needs.
#include <algorithm>
#include <utility>

#include "core/db/db.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include "core/db/writer.h"
#include "core/filename.h"
#include "core/db/build_table.h"
#include "core/memtable/memtable.h"
#include "core/table/table_cache.h"
#include "core/table/table_file_builder.h"
#include "core/version/version_set.h"

namespace strata {

namespace {
// The same code with a message that says what failed and what to do.
Status StoppedBy(const Status& s, std::string_view during, bool resumable) {
  const std::string msg =
      std::string(during) +
      (resumable ? " failed for lack of space; writes are stopped until space is freed (the "
                   "database retries by itself, or call kv_resume): "
                 : " failed; writes are stopped until the database is reopened: ") +
      s.message();
  switch (s.code()) {
    case Status::Code::kCorruption: return Status::Corruption(msg);
    case Status::Code::kNoMemory: return Status::NoMemory(msg);
    case Status::Code::kNotSupported: return Status::NotSupported(msg);
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(msg);
    case Status::Code::kBusy: return Status::Busy(msg);
    case Status::Code::kConflict: return Status::Conflict(msg);
    case Status::Code::kNotFound:  // never expected here; still an I/O-side failure
    case Status::Code::kIOError:
    case Status::Code::kOk: break;
  }
  return Status::IOError(msg, s.error_number());
}
}  // namespace

void DB::RecordBackgroundError(const Status& s, std::string_view during, bool resumable) {
  if (bg_error_.ok() && !s.ok()) {
    bg_error_ = StoppedBy(s, during, resumable);
    bg_error_resumable_ = resumable;
    done_cv_.notify_all();
    bg_cv_.notify_all();  // the retry of a resumable stop waits on it
  }
}

bool DB::HasBackgroundWork(BackgroundRole role) const {
  if (background_paused_ > 0) return false;
  const bool flush = !imms_.empty() && !flush_running_ && bg_error_.ok();
  switch (role) {
    case BackgroundRole::kFlush: return flush || obsolete_files_pending_;
    case BackgroundRole::kCompaction: return NeedsCompaction();
    case BackgroundRole::kAny: break;
  }
  return flush || NeedsCompaction() || obsolete_files_pending_;
}

void DB::PauseBackgroundWork() {
  MutexLock lock(mu_);
  ++background_paused_;
  done_cv_.Wait(&mu_, [this]() REQUIRES(mu_) { return !flush_running_ && !compaction_running_; });
}

void DB::ContinueBackgroundWork() {
  MutexLock lock(mu_);
  if (background_paused_ > 0) --background_paused_;
  MaybeScheduleWork();
}

// Threads of different roles wait on one condition variable, so all of them
// are woken: waking one could pick a thread whose role has nothing to do.
void DB::MaybeScheduleWork() { bg_cv_.notify_all(); }

void DB::BackgroundLoop(BackgroundRole role) {
  if (role == BackgroundRole::kCompaction && options_.compaction_nice > 0) {
    // Compaction gives way to the writers and the flusher when the cores are
    // contended (it still runs at full speed on an idle core). Raising a
    // thread's nice value needs no privilege; failure only loses the hint.
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, tid);
    if (errno == 0) ::setpriority(PRIO_PROCESS, tid, current + options_.compaction_nice);
  }
  MutexLock lock(mu_);
  // The thread that flushes also retries a resumable stop (db_resume.cc).
  const bool retries_resume = options_.auto_resume && role != BackgroundRole::kCompaction;
  auto resume_due = [&]() REQUIRES(mu_) {
    return retries_resume && !bg_error_.ok() && bg_error_resumable_;
  };
  while (true) {
    bg_cv_.Wait(&mu_, [&]() REQUIRES(mu_) {
      return shutting_down_ || HasBackgroundWork(role) || resume_due();
    });
    if (shutting_down_) return;
    if (resume_due()) {
      RetryResumeAfterBackoff();
      continue;
    }
    // Flushes first: they free memory that writers may be waiting for.
    if (role != BackgroundRole::kCompaction && !imms_.empty() && !flush_running_ &&
        bg_error_.ok()) {
      flush_running_ = true;
      Status s = FlushOldestImmutable();
      flush_running_ = false;
      if (!s.ok()) RecordBackgroundError(s, "background flush", s.IsNoSpace());
    } else if (role != BackgroundRole::kFlush && NeedsCompaction()) {
      compaction_running_ = true;
      Status s = BackgroundCompaction();
      compaction_running_ = false;
      if (!s.ok()) RecordBackgroundError(s, "background compaction", s.IsNoSpace());
    }
    if (role != BackgroundRole::kCompaction) obsolete_files_pending_ = false;
    RemoveObsoleteFiles();
    done_cv_.notify_all();
    if (HasBackgroundWork(BackgroundRole::kAny)) bg_cv_.notify_all();
  }
}

Status DB::FlushOldestImmutable() {
  ImmutableMemTable imm = imms_.front();
  FileMetaData meta;
  meta.number = versions_->NewFileNumber();
  pending_outputs_.insert(meta.number);
  mu_.unlock();
  Status s = WriteLevel0Table(imm.mem.get(), &meta);
  mu_.lock();

  if (s.ok()) {
    VersionEdit edit;
    if (meta.file_size > 0) edit.AddFile(0, meta);
    // The WAL after this memtable's is now the oldest one still needed.
    const uint64_t next_log = imms_.size() > 1 ? imms_[1].log_number : wal_number_;
    edit.SetLogNumber(next_log);
    edit.SetLastSequence(last_sequence_.load());
    s = versions_->LogAndApply(&edit, &mu_);
  }
  pending_outputs_.erase(meta.number);
  if (s.ok()) {
    imms_.pop_front();
    InstallSuperVersion();
    resume_backoff_ms_ = 0;  // space was found: a later stop retries from the start
    stats_.flushes.fetch_add(1, std::memory_order_relaxed);
    stats_.flush_bytes_written.fetch_add(meta.file_size, std::memory_order_relaxed);
  }
  // The flushed memtable's memory goes with the mutex released: unless a
  // reader still holds it, this is its last reference, and freeing a 64 MiB
  // arena (hundreds of munmap calls) took ~10 ms, a stall for every writer
  // waiting on the mutex.
  mu_.unlock();
  imm.mem.reset();
  mu_.lock();
  return s;
}

Status DB::WriteLevel0Table(MemTable* mem, FileMetaData* meta) {
  if (MemTableIsEmpty(*mem)) {
    meta->file_size = 0;
    return Status::OK();
  }
  TableFileBuilder table(options_, env_, dbname_, meta->number);
  STRATA_RETURN_IF_ERROR(AddMemTable(mem, &table));
  // Finish reads the table back once: one that cannot be opened must never
  // be published in the manifest.
  return table.Finish(table_cache_.get(), meta);
}

void DB::RemoveObsoleteFiles() {
  // Counted so that WaitForBackgroundWork also waits for the deletions this
  // pass makes with the mutex released.
  ++file_removals_running_;
  if (!logs_to_close_.empty()) {
    std::vector<std::unique_ptr<log::Writer>> logs = std::exchange(logs_to_close_, {});
    mu_.unlock();
    // A failure to trim or close loses nothing: every record is in the file,
    // and the log is either obsolete or read back whole by recovery.
    for (auto& log : logs) log->Close();
    logs.clear();
    mu_.lock();
  }
  RemoveObsoleteFilesCounted();
  --file_removals_running_;
  done_cv_.notify_all();
}

void DB::RemoveObsoleteFilesCounted() {
  if (!bg_error_.ok()) return;  // after an error the state on disk is not trusted enough to prune
  std::set<uint64_t> live = pending_outputs_;
  versions_->AddLiveFiles(&live);
  const uint64_t oldest_log = versions_->log_number();
  const uint64_t manifest = versions_->manifest_number();
  std::vector<uint64_t> imm_logs;
  for (const auto& imm : imms_) imm_logs.push_back(imm.log_number);
  const uint64_t current_wal = wal_number_;
  // Files numbered from here on were created after this snapshot of what is
  // live; they belong to work in progress and are never removed by this pass.
  const uint64_t first_unknown = versions_->next_file_number();

  mu_.unlock();
  std::vector<std::string> names;
  if (env_->GetChildren(dbname_, &names).ok()) {
    bool removed = false;
    for (const auto& name : names) {
      uint64_t number;
      bool keep = true;
      const FileKind kind = ParseFileName(name, &number);
      if (kind != FileKind::kUnknown && number >= first_unknown) continue;
      switch (kind) {
        case FileKind::kLog:
          keep = number >= oldest_log || number == current_wal ||
                 std::find(imm_logs.begin(), imm_logs.end(), number) != imm_logs.end();
          break;
        case FileKind::kTable:
          keep = live.count(number) > 0;
          if (!keep) table_cache_->Evict(number);
          break;
        case FileKind::kManifest:
          keep = number >= manifest;
          break;
        case FileKind::kTemp:
          keep = live.count(number) > 0;
          break;
        default:
          break;
      }
      if (!keep) {
        env_->RemoveFile(dbname_ + "/" + name);
        removed = true;
      }
    }
    if (removed) env_->SyncDir(dbname_);
  }
  mu_.lock();
}

Status DB::Flush() {
  STRATA_RETURN_IF_ERROR(CheckWritable("flushing"));
  Writer w;
  w.batch = nullptr;
  w.sync = false;
  STRATA_RETURN_IF_ERROR(RunWriter(&w));
  // Wait until every memtable switched so far is in a table.
  MutexLock lock(mu_);
  const uint64_t target_log = wal_number_;
  done_cv_.Wait(&mu_, [&]() REQUIRES(mu_) {
    return !bg_error_.ok() || imms_.empty() || imms_.front().log_number >= target_log;
  });
  return bg_error_;
}

Status DB::WaitForBackgroundWork() {
  // A read-only handle runs no background work (and never flushes the
  // memtables it replayed, which the wait below would count as pending).
  if (options_.read_only) return Status::OK();
  MutexLock lock(mu_);
  done_cv_.Wait(&mu_, [&]() REQUIRES(mu_) {
    // While paused, pending work cannot progress: nothing to wait for.
    if (background_paused_ > 0 && !flush_running_ && !compaction_running_) return true;
    return !bg_error_.ok() || (imms_.empty() && !flush_running_ && manual_compactions_ == 0 &&
                               !compaction_running_ && !NeedsCompaction() &&
                               file_removals_running_ == 0 && !obsolete_files_pending_);
  });
  return bg_error_;
}

}  // namespace strata
