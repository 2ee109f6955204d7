// Manual compaction (kv_compact_range); its inputs are chosen by
// PickRangeCompaction (compaction_picker.h).
#include <algorithm>
#include <optional>

#include "core/compaction/compaction_job.h"
#include "core/compaction/compaction_picker.h"
#include "core/db/db.h"
#include "core/version/version_set.h"

namespace strata {

Status DB::CompactRange(const std::string_view* begin, const std::string_view* end) {
  STRATA_RETURN_IF_ERROR(CheckWritable("compacting"));
  STRATA_RETURN_IF_ERROR(Flush());

  MutexLock lock(mu_);
  ++manual_compactions_;
  // One compaction at a time: wait for the running one, and keep background
  // compactions from starting meanwhile (NeedsCompaction checks the flag).
  done_cv_.Wait(&mu_, [this]() REQUIRES(mu_) { return !manual_running_ && !compaction_running_; });
  manual_running_ = true;

  auto finish = [&](Status s) REQUIRES(mu_) {
    manual_running_ = false;
    --manual_compactions_;
    done_cv_.notify_all();
    MaybeScheduleWork();  // background compactions were held back meanwhile
    return s;
  };
  if (!bg_error_.ok()) return finish(bg_error_);

  std::shared_ptr<const Version> version = versions_->current();
  CompactionInputs inputs = PickRangeCompaction(*version, begin, end);
  // Holding the Version would keep the inputs' files alive past the edit.
  version.reset();
  if (inputs.empty()) return finish(Status::OK());
  Status s = RunCompaction(&inputs);
  RemoveObsoleteFiles();
  return finish(s);
}

bool DB::NeedsCompaction() const {
  if (compaction_running_ || manual_running_ || !bg_error_.ok()) return false;
  const Version& v = *versions_->current();
  if (l0_read_triggered_.load(std::memory_order_relaxed) && v.NumFiles(0) > 0) return true;
  for (int level = 0; level < kNumLevels - 1; ++level) {
    if (LevelScore(v, options_, level) >= 1.0) return true;
  }
  return false;
}

void DB::ChargeSeek(const FileMetaData& l0_table) {
  if (l0_table.allowed_seeks.fetch_sub(1, std::memory_order_relaxed) != 1) return;
  // This table has now cost more in extra reads than compacting it would:
  // ask for L0 to be merged down (once; the flag is cleared when picked).
  if (l0_read_triggered_.exchange(true, std::memory_order_relaxed)) return;
  stats_.read_triggered_compactions.fetch_add(1, std::memory_order_relaxed);
  MutexLock lock(mu_);
  MaybeScheduleWork();
}

Status DB::BackgroundCompaction() {
  std::shared_ptr<const Version> version = versions_->current();
  const bool read_triggered = l0_read_triggered_.load(std::memory_order_relaxed);
  std::optional<PickedCompaction> picked =
      PickCompaction(*version, options_, compact_pointers_, read_triggered);
  if (!picked) {
    // Nothing left to do for the request (L0 emptied meanwhile).
    if (read_triggered && version->NumFiles(0) == 0) l0_read_triggered_.store(false);
    return Status::OK();
  }
  if (picked->level == 0) l0_read_triggered_.store(false, std::memory_order_relaxed);
  const int level = picked->level;
  std::string largest;
  for (const auto& f : picked->inputs.files[level]) {
    std::string_view l = ExtractUserKey(f->largest);
    if (largest.empty() || l > std::string_view(largest)) largest.assign(l);
  }
  compact_pointers_[level] = largest;

  if (picked->trivial_move) {
    const auto& f = picked->inputs.files[level][0];
    VersionEdit edit;
    edit.RemoveFile(level, f->number);
    edit.AddFile(level + 1, *f);
    f->being_compacted = true;
    Status s = ApplyEdit(&edit);
    f->being_compacted = false;
    if (s.ok()) stats_.trivial_moves.fetch_add(1, std::memory_order_relaxed);
    return s;
  }
  return RunCompaction(&picked->inputs);
}

// Range tombstones live beside the keys (range_tombstone.h); a compaction
// applies those every reader sees, and decides which of its inputs' ones the
// outputs must carry. A tombstone may go once every reader sees it and no
// table outside the compaction can hold a version it hides: each such table
// overlapping its range either holds only newer entries or was written
// after the tombstone was applied (FileMetaData::range_deletions_applied).
// The memtables cannot: a tombstone reaches a table only when its memtable
// is flushed, and every memtable still unflushed is newer. So a range delete
// followed by a compaction of its range leaves neither the keys nor the
// tombstone behind.
void DB::PlanRangeDeletions(CompactionInputs* inputs) {
  const std::shared_ptr<const Version> version = versions_->current();
  inputs->range_deletions = version->range_deletions();
  inputs->range_deletions_applied = 0;
  for (const RangeTombstone& t : version->range_deletion_list()) {
    if (t.sequence <= inputs->oldest_snapshot) {
      inputs->range_deletions_applied = std::max(inputs->range_deletions_applied, t.sequence);
    }
  }
  std::set<uint64_t> input_numbers;
  RangeTombstoneList carried;
  for (const FileList& files : inputs->files) {
    for (const auto& f : files) {
      input_numbers.insert(f->number);
      for (const RangeTombstone& t : f->range_deletions) {
        if (std::find(carried.begin(), carried.end(), t) == carried.end()) carried.push_back(t);
      }
    }
  }
  auto may_hide_elsewhere = [&](const RangeTombstone& t) {
    if (t.sequence > inputs->oldest_snapshot) return true;  // not applied here
    for (int level = 0; level < kNumLevels; ++level) {
      for (const auto& f : version->files(level)) {
        if (input_numbers.count(f->number)) continue;
        if (!t.Overlaps(ExtractUserKey(f->smallest), ExtractUserKey(f->largest))) continue;
        const bool only_newer = f->smallest_sequence != 0 && f->smallest_sequence > t.sequence;
        if (!only_newer && f->range_deletions_applied < t.sequence) return true;
      }
    }
    return false;
  };
  inputs->carried_range_deletions.clear();
  for (RangeTombstone& t : carried) {
    if (may_hide_elsewhere(t)) inputs->carried_range_deletions.push_back(std::move(t));
  }
}

Status DB::RunCompaction(CompactionInputs* inputs) {
  inputs->oldest_snapshot = snapshots_.Oldest(last_sequence_.load());
  PlanRangeDeletions(inputs);
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : inputs->files[level]) f->being_compacted = true;
  }

  std::vector<uint64_t> outputs_reserved;
  CompactionJob job(options_, dbname_, env_, table_cache_.get(), [this, &outputs_reserved] {
    MutexLock guard(mu_);
    uint64_t number = versions_->NewFileNumber();
    pending_outputs_.insert(number);
    outputs_reserved.push_back(number);
    return number;
  });
  CompactionResult result;
  mu_.unlock();
  Status s = job.Run(*inputs, &result);
  mu_.lock();

  if (s.ok()) {
    VersionEdit edit;
    for (int level = 0; level < kNumLevels; ++level) {
      for (const auto& f : inputs->files[level]) edit.RemoveFile(level, f->number);
    }
    for (const auto& out : result.outputs) edit.AddFile(inputs->output_level, out);
    s = ApplyEdit(&edit);
  }
  for (uint64_t number : outputs_reserved) pending_outputs_.erase(number);
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : inputs->files[level]) f->being_compacted = false;
  }
  if (s.ok()) {
    stats_.compactions.fetch_add(1, std::memory_order_relaxed);
    stats_.compaction_bytes_read.fetch_add(result.bytes_read, std::memory_order_relaxed);
    stats_.compaction_bytes_written.fetch_add(result.bytes_written, std::memory_order_relaxed);
  } else if (s.IsIOError() || s.IsCorruption()) {
    // A failed compaction leaves the old tables in place. A storage failure
    // or damaged input stops writes like any background error; a refusal
    // (inputs that break the job's contract, found before it wrote anything)
    // is the caller's to report and leaves the database as it was.
    RecordBackgroundError(s, "compaction", s.IsNoSpace());
  }
  return s;
}

}  // namespace strata
