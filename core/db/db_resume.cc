// Resuming writes after they stopped for lack of space (DB::Resume), by a
// call (kv_resume) or by the flushing thread on a back-off.
//
// A no-space failure loses nothing acknowledged: a failed WAL append or
// flush leaves at most part of the failed group's record at the log's end
// (the group was refused, its writers told so), and a failed flush or
// compaction leaves the old memtables and tables in place. So resuming is:
// take the write leader's turn (no group may be half-way through the log),
// cut the log back to its last whole record, clear the error, and let the
// background work run again. If space is still short, the next failure
// stops writes again, and the retry backs off further.
#include <algorithm>
#include <chrono>

#include "core/db/db.h"
#include "core/db/writer.h"
#include "core/wal/log_writer.h"

namespace strata {

namespace {
constexpr uint64_t kFirstRetryMs = 200;
constexpr uint64_t kLongestRetryMs = 10'000;
}  // namespace

Status DB::Resume() {
  STRATA_RETURN_IF_ERROR(CheckWritable("resuming writes"));
  MutexLock lock(mu_);
  return ResumeLocked();
}

Status DB::ResumeLocked() {
  if (bg_error_.ok()) return Status::OK();
  if (!bg_error_resumable_) return bg_error_;

  // A flush or compaction that started before space came back may still
  // fail for lack of it; let it end first, so that it cannot stop writes
  // again just after they resumed. (None starts while writes are stopped.)
  done_cv_.Wait(&mu_, [this]() REQUIRES(mu_) {
    return shutting_down_ || (!flush_running_ && !compaction_running_ && !manual_running_);
  });

  // The leader's turn: writers queued before this one fail at once on
  // bg_error_, and none can start a group until this turn ends.
  Writer turn;
  writers_.push_back(&turn);
  while (&turn != writers_.front()) turn.cv.Wait(&mu_);

  Status s;
  if (!bg_error_.ok() && bg_error_resumable_) {
    if (wal_torn_) {
      s = wal_->Truncate(wal_good_bytes_);
      if (s.ok()) wal_torn_ = false;
      // A buffered WAL kept the acknowledged writes its failed write held:
      // the flusher writes them again.
      if (s.ok() && wal_->BufferedBytes() > 0 && !wal_flush_wanted_) {
        wal_flush_wanted_ = true;
        wal_flusher_cv_.notify_one();
      }
    }
    if (s.ok()) {
      bg_error_ = Status::OK();
      bg_error_resumable_ = false;
      stats_.resumes.fetch_add(1, std::memory_order_relaxed);
    }
  }
  writers_.pop_front();
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  if (!s.ok()) return s;  // the log could not be cut: still stopped, still resumable
  done_cv_.notify_all();
  MaybeScheduleWork();
  return bg_error_;
}

void DB::RetryResumeAfterBackoff() {
  resume_backoff_ms_ =
      resume_backoff_ms_ == 0 ? kFirstRetryMs : std::min(resume_backoff_ms_ * 2, kLongestRetryMs);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(resume_backoff_ms_);
  // Woken early only to shut down, or because someone else resumed.
  bg_cv_.WaitUntil(&mu_, deadline,
                   [this]() REQUIRES(mu_) { return shutting_down_ || bg_error_.ok(); });
  if (shutting_down_ || bg_error_.ok()) return;
  ResumeLocked();
}

}  // namespace strata
