// Bulk ingest (DB::Ingest): tables written by SstFileWriter join the LSM
// tree without passing through the log or the memtable.
//
// 1. Each file is read whole (checksums verified) before anything changes:
//    only finished, undamaged tables whose entries all have sequence 0 and
//    whose global sequence is still 0 are taken, and their ranges must be
//    disjoint.
// 2. Each is brought into the directory under a temporary name (protected
//    from the obsolete-file sweep by pending_outputs_), with no lock held.
// 3. With the write leader's turn (no write can take a sequence number
//    meanwhile): memtables holding a key in any range are flushed, so every
//    older version of an ingested key is in a table with a lower file
//    number; compactions are held off (a running one is waited for), since
//    a compaction's output placed concurrently could overlap an ingested
//    table's level. Then one sequence number S is assigned to every table
//    (global_sequence.h), each is renamed to its table name, the directory
//    is synced, and one manifest edit adds them all with last sequence S.
// A failure before the edit removes what was brought in and restores the
// sources (a hard link shares the source's bytes, so its patched global
// sequence is set back to 0).
#include <algorithm>

#include "core/db/db.h"
#include "core/db/writer.h"
#include "core/filename.h"
#include "core/memtable/memtable.h"
#include "core/table/global_sequence.h"
#include "core/table/table_reader.h"
#include "core/version/version_edit.h"
#include "core/version/version_set.h"

namespace strata {

namespace {

// What an ingest learns of one file before it changes anything.
struct ExternalTable {
  std::string source;
  uint64_t file_size = 0;
  std::string smallest_user;
  std::string largest_user;
  ValueKind smallest_kind = ValueKind::kValue;
  ValueKind largest_kind = ValueKind::kValue;
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;

  uint64_t temp_number = 0;  // 0: not brought in
  uint64_t number = 0;       // 0: not renamed to its table name
  bool linked = false;       // the temporary name is a hard link to source
  bool assigned = false;     // its global sequence was patched
};

Status Refuse(const std::string& path, const std::string& why) {
  return Status::InvalidArgument("ingest refused, nothing changed: " + path + " " + why);
}

// Reads the whole table at t->source and fills in *t.
Status InspectTable(Env* env, const Options& db_options, ExternalTable* t) {
  const std::string& path = t->source;
  std::unique_ptr<RandomAccessFile> file;
  Status s = env->GetFileSize(path, &t->file_size);
  if (s.ok()) s = env->NewRandomAccessFile(path, &file);
  if (s.IsNotFound()) return Refuse(path, "cannot be opened: " + s.message());
  STRATA_RETURN_IF_ERROR(s);

  Options options = db_options;
  options.verify_checksums = true;
  std::unique_ptr<TableReader> reader;
  s = TableReader::Open(options, std::move(file), t->file_size, 0, nullptr, &reader);
  if (!s.ok()) {
    // An unfinished table has no footer; anything else that does not open
    // is damaged. Either way it is not one the caller can ingest.
    return Status::Corruption("ingest refused, nothing changed: " + path +
                              " is not a finished, undamaged table: " + s.message());
  }
  const TableProperties& props = reader->properties();
  if (!props.has_global_sequence) {
    return Refuse(path, "was not written by an SST writer (kv_sst_writer)");
  }
  if (props.global_sequence != 0) return Refuse(path, "was already ingested by a database");
  if (props.num_entries == 0) return Refuse(path, "is empty");

  std::unique_ptr<InternalIterator> it = reader->NewIterator(TableReadOptions{false});
  std::string last;
  uint64_t entries = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ParsedInternalKey parsed;
    if (!ParseInternalKey(it->key(), &parsed)) {
      return Status::Corruption("ingest refused, nothing changed: " + path +
                                " holds a malformed key");
    }
    if (parsed.sequence != 0) return Refuse(path, "holds entries with sequence numbers");
    if (entries > 0 && CompareUserKeys(parsed.user_key, last) <= 0) {
      return Status::Corruption("ingest refused, nothing changed: " + path +
                                " holds keys out of order");
    }
    if (entries == 0) {
      t->smallest_user.assign(parsed.user_key);
      t->smallest_kind = parsed.kind;
    }
    last.assign(parsed.user_key);
    t->largest_kind = parsed.kind;
    if (parsed.kind == ValueKind::kDeletion) ++t->num_deletions;
    ++entries;
  }
  if (!it->status().ok()) {
    return Status::Corruption("ingest refused, nothing changed: " + path +
                              " is damaged: " + it->status().message());
  }
  if (entries != props.num_entries) {
    return Status::Corruption("ingest refused, nothing changed: " + path + " holds " +
                              std::to_string(entries) + " entries but records " +
                              std::to_string(props.num_entries));
  }
  t->largest_user = std::move(last);
  t->num_entries = entries;
  return Status::OK();
}

// True when the memtable holds a version of a key in [smallest, largest].
bool MemTableOverlaps(const MemTable& mem, const ExternalTable& t) {
  std::unique_ptr<InternalIterator> it = mem.NewIterator();
  it->Seek(LookupKey(t.smallest_user, kMaxSequenceNumber).internal_key());
  return it->Valid() && CompareUserKeys(ExtractUserKey(it->key()), t.largest_user) <= 0;
}

std::string InternalKeyOf(std::string_view user_key, SequenceNumber seq, ValueKind kind) {
  std::string key;
  AppendInternalKey(&key, user_key, seq, kind);
  return key;
}

}  // namespace

Status DB::Ingest(const std::vector<std::string>& paths, bool move) {
  STRATA_RETURN_IF_ERROR(CheckWritable("ingesting tables"));
  if (paths.empty()) return Status::OK();
  std::vector<ExternalTable> tables(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    tables[i].source = paths[i];
    STRATA_RETURN_IF_ERROR(InspectTable(env_, options_, &tables[i]));
  }
  std::sort(tables.begin(), tables.end(), [](const ExternalTable& a, const ExternalTable& b) {
    return CompareUserKeys(a.smallest_user, b.smallest_user) < 0;
  });
  for (size_t i = 1; i < tables.size(); ++i) {
    if (CompareUserKeys(tables[i].smallest_user, tables[i - 1].largest_user) <= 0) {
      return Refuse(tables[i].source, "overlaps the key range of " + tables[i - 1].source);
    }
  }

  MutexLock lock(mu_);
  if (!bg_error_.ok()) return bg_error_;
  // Undoes what was brought in. REQUIRES: mu_ held; released meanwhile.
  auto undo = [&](Status s) REQUIRES(mu_) {
    mu_.unlock();
    for (ExternalTable& t : tables) {
      if (t.temp_number == 0) continue;
      const std::string name = t.number != 0 ? TableFileName(dbname_, t.number)
                                             : TempFileName(dbname_, t.temp_number);
      // A hard link shares the caller's file: put its bytes back as they were.
      if (t.linked && t.assigned) AssignGlobalSequence(env_, name, 0);
      env_->RemoveFile(name);
    }
    mu_.lock();
    for (const ExternalTable& t : tables) {
      if (t.temp_number != 0) pending_outputs_.erase(t.temp_number);
      if (t.number != 0) pending_outputs_.erase(t.number);
    }
    return s;
  };

  // Bringing the files in takes no lock: a copy of a large table must not
  // hold up writers.
  for (ExternalTable& t : tables) {
    t.temp_number = versions_->NewFileNumber();
    pending_outputs_.insert(t.temp_number);
  }
  lock.unlock();
  Status s;
  for (ExternalTable& t : tables) {
    const std::string temp = TempFileName(dbname_, t.temp_number);
    if (move) {
      s = env_->LinkFile(t.source, temp);
      if (s.ok()) t.linked = true;
    }
    if (!move || s.IsNotSupported()) s = CopyFile(env_, t.source, temp);
    if (!s.ok()) break;
    uint64_t size = 0;
    s = env_->GetFileSize(temp, &size);
    if (s.ok() && size != t.file_size) {
      s = Status::InvalidArgument("ingest refused, nothing changed: " + t.source +
                                  " changed while it was being ingested");
    }
    if (!s.ok()) break;
  }
  lock.lock();
  if (!s.ok()) return undo(s);

  // The write leader's turn: writers queued before this one finish first,
  // and no group starts until the turn ends, so no write takes a sequence
  // number between S and the tables' publication.
  Writer turn;
  writers_.push_back(&turn);
  while (&turn != writers_.front()) turn.cv.Wait(&mu_);
  auto end_turn = [&]() REQUIRES(mu_) {
    writers_.pop_front();
    if (!writers_.empty()) writers_.front()->cv.notify_one();
  };

  s = bg_error_;
  bool overlaps_memtable = false;
  if (s.ok()) {
    for (const ExternalTable& t : tables) {
      if (MemTableOverlaps(*mem_, t)) overlaps_memtable = true;
      for (const ImmutableMemTable& imm : imms_) {
        if (MemTableOverlaps(*imm.mem, t)) overlaps_memtable = true;
      }
    }
  }
  if (s.ok() && overlaps_memtable) {
    // Older versions of ingested keys must reach tables first: a table's
    // place among level 0's is its file number, and the ingested ones are
    // numbered below.
    s = MakeRoomForWrite(/*force=*/true);
    if (s.ok()) {
      done_cv_.Wait(&mu_, [this]() REQUIRES(mu_) { return !bg_error_.ok() || imms_.empty(); });
      s = bg_error_;
    }
  }
  if (!s.ok()) {
    end_turn();
    return undo(s);
  }

  // Hold compactions off, as a manual compaction does (NeedsCompaction
  // checks manual_running_), waiting for a running one to end.
  done_cv_.Wait(&mu_, [this]() REQUIRES(mu_) { return !manual_running_ && !compaction_running_; });
  manual_running_ = true;
  auto end_hold = [&]() REQUIRES(mu_) {
    manual_running_ = false;
    done_cv_.notify_all();
    MaybeScheduleWork();
  };

  const SequenceNumber sequence = last_sequence_.load() + 1;
  for (ExternalTable& t : tables) {
    t.number = versions_->NewFileNumber();
    pending_outputs_.insert(t.number);
  }
  lock.unlock();
  for (ExternalTable& t : tables) {
    const std::string temp = TempFileName(dbname_, t.temp_number);
    s = AssignGlobalSequence(env_, temp, sequence);
    if (!s.ok()) break;
    t.assigned = true;
    s = env_->RenameFile(temp, TableFileName(dbname_, t.number));
    if (!s.ok()) break;
  }
  if (s.ok()) s = env_->SyncDir(dbname_);
  lock.lock();
  if (!s.ok()) {
    for (ExternalTable& t : tables) {
      // Renamed or not: undo looks under the name the file has now.
      if (t.number != 0 && !env_->FileExists(TableFileName(dbname_, t.number))) {
        pending_outputs_.erase(t.number);
        t.number = 0;
      }
    }
    end_hold();
    end_turn();
    return undo(s);
  }

  VersionEdit edit;
  std::shared_ptr<const Version> current = versions_->current();
  for (const ExternalTable& t : tables) {
    FileMetaData meta;
    meta.number = t.number;
    meta.file_size = t.file_size;
    meta.smallest = InternalKeyOf(t.smallest_user, sequence, t.smallest_kind);
    meta.largest = InternalKeyOf(t.largest_user, sequence, t.largest_kind);
    meta.num_entries = t.num_entries;
    meta.num_deletions = t.num_deletions;
    const std::string_view begin = t.smallest_user;
    const std::string_view end = t.largest_user;
    int level = 0;
    if (current->Overlapping(0, &begin, &end).empty()) {
      while (level + 1 < kNumLevels && current->Overlapping(level + 1, &begin, &end).empty()) {
        ++level;
      }
    }
    edit.AddFile(level, meta);
  }
  edit.SetLastSequence(sequence);
  s = versions_->LogAndApply(&edit, &mu_);
  for (const ExternalTable& t : tables) {
    pending_outputs_.erase(t.temp_number);
    pending_outputs_.erase(t.number);
  }
  if (s.ok()) {
    last_sequence_.store(sequence);
    InstallSuperVersion();
  } else {
    // The manifest may or may not hold the edit: leave the tables where
    // they are (the database stops writes on a failed manifest write, and
    // a reopen's sweep removes them if the edit did not make it).
    RecordBackgroundError(s, "ingest", /*resumable=*/false);
  }
  end_hold();
  end_turn();
  lock.unlock();
  if (s.ok() && move) {
    for (const ExternalTable& t : tables) env_->RemoveFile(t.source);
  }
  return s;
}

}  // namespace strata
