// RepairDB (repair.h): the steps are methods of Repairer, run in the order
// repair.h lists them.
#include "core/db/repair.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <memory>
#include <set>

#include "core/db/repair_log.h"
#include "core/db/table_order.h"
#include "core/dbformat.h"
#include "core/env.h"
#include "core/filename.h"
#include "core/table/table_file_builder.h"
#include "core/table/table_reader.h"
#include "core/table/table_salvage.h"
#include "core/version/file_metadata.h"
#include "core/version/manifest_snapshot.h"
#include "core/version/manifest_summary.h"
#include "core/version/version_edit.h"

namespace strata {

namespace {

// A recovered table: one the new manifest will list.
struct RecoveredTable {
  FileMetaData meta;  // meta.number is the file's current name
  SequenceNumber max_sequence = 0;
  // True for a table that existed before the repair (kept as it was): its
  // file must survive until the new manifest is in place.
  bool preexisting = false;
  size_t kept_index = 0;  // its entry in RepairReport::kept when preexisting
};

class Repairer {
 public:
  Repairer(const Options& options, std::string dbname, RepairReport* report)
      : options_(options),
        env_(options.env != nullptr ? options.env : Env::Default()),
        dbname_(std::move(dbname)),
        report_(report) {
    // Every table the repairer reads is read with checksums on, whatever
    // the caller's options say.
    options_.verify_checksums = true;
  }

  Status Run() {
    report_->dbname = dbname_;
    if (!env_->FileExists(dbname_)) {
      return Status::InvalidArgument(dbname_ + " does not exist");
    }
    STRATA_RETURN_IF_ERROR(env_->LockFile(LockFileName(dbname_), &lock_));
    Status s = RunLocked();
    env_->UnlockFile(std::move(lock_));
    if (!s.ok()) RemoveUnpublishedOutputs();
    return s;
  }

 private:
  Status RunLocked() {
    STRATA_RETURN_IF_ERROR(FindFiles());
    ReadOldManifest();
    for (const auto& [number, size] : table_files_) {
      if (IsObsolete(number)) continue;
      STRATA_RETURN_IF_ERROR(RecoverTable(number, size));
    }
    for (uint64_t number : log_files_) STRATA_RETURN_IF_ERROR(ConvertLog(number));
    STRATA_RETURN_IF_ERROR(OrderTables());
    STRATA_RETURN_IF_ERROR(WriteManifestAndSwitch());
    return MoveReplacedFilesAside();
  }

  // ---- Step 1 (after LOCK, in Run): what is in the directory -------------

  Status FindFiles() {
    std::vector<std::string> names;
    STRATA_RETURN_IF_ERROR(env_->GetChildren(dbname_, &names));
    bool any_strata_file = false;
    for (const auto& name : names) {
      uint64_t number = 0;
      const FileKind kind = ParseFileName(name, &number);
      switch (kind) {
        case FileKind::kTable: {
          uint64_t size = 0;
          STRATA_RETURN_IF_ERROR(env_->GetFileSize(dbname_ + "/" + name, &size));
          table_files_.emplace(number, size);
          any_strata_file = true;
          break;
        }
        case FileKind::kLog:
          log_files_.insert(number);
          any_strata_file = true;
          break;
        case FileKind::kManifest:
          manifests_.push_back(name);
          any_strata_file = true;
          break;
        case FileKind::kCurrent:
          has_current_ = true;
          any_strata_file = true;
          break;
        case FileKind::kOutOfRange:
          // Numbering after it would wrap onto the numbers of the tables
          // being salvaged.
          return Status::InvalidArgument(OutOfRangeFileMessage(dbname_, name));
        case FileKind::kTemp:
          // A table an interrupted flush, compaction or repair did not
          // finish: never published, and no whole table.
          STRATA_RETURN_IF_ERROR(env_->RemoveFile(dbname_ + "/" + name));
          break;
        case FileKind::kLock:
        case FileKind::kUnknown:
          break;
      }
      if (kind != FileKind::kUnknown) next_file_number_ = std::max(next_file_number_, number + 1);
    }
    if (!any_strata_file) {
      return Status::InvalidArgument(dbname_ + " holds no strata database (no CURRENT, manifest, "
                                     "table or log file)");
    }
    return Status::OK();
  }

  uint64_t NewFileNumber() { return next_file_number_++; }

  // ---- Step 2: what the old manifest says, if it still reads ---------------

  // A table the old manifest once listed and later removed is a compaction
  // input that a crash left on disk. It must not come back: it may hold
  // versions that a tombstone hid and a later compaction dropped together
  // with the tombstone, so listing it again would resurrect deleted data.
  // When the manifest cannot be read, nothing is known and every table found
  // is used (the report says so).
  void ReadOldManifest() {
    auto unknown = [this](const std::string& why) {
      report_->old_manifest = why + "; every table found is used";
    };
    if (!has_current_) return unknown("none (no CURRENT)");
    ManifestSummary old;
    Status s = ReadManifestSummary(env_, dbname_, &old);
    if (!s.ok()) return unknown("unreadable (" + s.message() + ")");
    old_live_ = std::move(old.live_tables);
    old_next_file_ = old.next_file_number;
    have_old_manifest_ = true;
    report_->old_manifest =
        old.name + " read: it lists " + std::to_string(old_live_.size()) + " tables";
    for (uint64_t number : old_live_) {
      if (!table_files_.count(number)) report_->missing.push_back(number);
    }
    // The oldest log still needed holds writes no table has: if it is gone,
    // they are lost (VersionSet::Recover refuses to open for the same
    // reason). Log 0 (a checkpoint) and a number past the next file number
    // (a repair) name no log.
    if (old.log_number && *old.log_number != 0 && *old.log_number < old_next_file_ &&
        !log_files_.count(*old.log_number)) {
      report_->missing_logs.push_back(*old.log_number);
    }
  }

  // True for a table the old manifest removed (see ReadOldManifest), which
  // then goes to the backup. Tables numbered from the manifest's next file
  // number on were made after its last edit (a flush or compaction cut short)
  // and are used: their data is also elsewhere, and duplicates are harmless.
  bool IsObsolete(uint64_t number) {
    if (!have_old_manifest_ || number >= old_next_file_ || old_live_.count(number)) return false;
    report_->obsolete.push_back(number);
    to_back_up_.push_back(TableBaseName(number));
    return true;
  }

  // ---- Step 2, continued: tables -------------------------------------------

  // Finishes a table the repair wrote and adds it to *to (tables_ when null).
  Status Publish(TableFileBuilder* output, std::vector<RecoveredTable>* to = nullptr) {
    RecoveredTable table;
    STRATA_RETURN_IF_ERROR(output->Finish(nullptr, &table.meta));
    table.max_sequence = output->max_sequence();
    outputs_.insert(table.meta.number);
    (to != nullptr ? to : &tables_)->push_back(std::move(table));
    return Status::OK();
  }

  Status OpenTable(uint64_t number, uint64_t size, std::unique_ptr<TableReader>* out) {
    std::unique_ptr<RandomAccessFile> file;
    STRATA_RETURN_IF_ERROR(env_->NewRandomAccessFile(TableFileName(dbname_, number), &file));
    return TableReader::Open(options_, std::move(file), size, number, nullptr, out);
  }

  // Reads every entry of a table, checking that keys parse and ascend and
  // that the count matches the table's properties. Corruption on damage.
  Status ScanTable(uint64_t number, uint64_t size, RecoveredTable* out) {
    std::unique_ptr<TableReader> table;
    STRATA_RETURN_IF_ERROR(OpenTable(number, size, &table));
    TableReadOptions ro;
    ro.fill_cache = false;
    auto it = table->NewIterator(ro);
    FileMetaData& meta = out->meta;
    meta = FileMetaData();
    meta.number = number;
    meta.file_size = size;
    std::string previous;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ParsedInternalKey parsed;
      if (!ParseInternalKey(it->key(), &parsed)) {
        return Status::Corruption("table file " + std::to_string(number) +
                                  ": malformed internal key in entry " +
                                  std::to_string(meta.num_entries));
      }
      if (meta.num_entries > 0 && CompareInternalKeys(previous, it->key()) >= 0) {
        return Status::Corruption("table file " + std::to_string(number) +
                                  ": keys out of order at entry " +
                                  std::to_string(meta.num_entries));
      }
      if (meta.num_entries == 0) meta.smallest.assign(it->key());
      previous.assign(it->key());
      ++meta.num_entries;
      if (parsed.kind == ValueKind::kDeletion) ++meta.num_deletions;
      out->max_sequence = std::max(out->max_sequence, parsed.sequence);
    }
    STRATA_RETURN_IF_ERROR(it->status());
    meta.largest = previous;
    meta.smallest_sequence = table->properties().smallest_sequence;
    meta.range_deletions = table->properties().range_deletions;
    for (const RangeTombstone& t : meta.range_deletions) {
      out->max_sequence = std::max(out->max_sequence, t.sequence);
    }
    if (meta.num_entries != table->properties().num_entries) {
      return Status::Corruption("table file " + std::to_string(number) + ": holds " +
                                std::to_string(meta.num_entries) + " entries, its properties say " +
                                std::to_string(table->properties().num_entries));
    }
    return Status::OK();
  }

  Status RecoverTable(uint64_t number, uint64_t size) {
    RecoveredTable table;
    Status s = ScanTable(number, size, &table);
    if (s.ok()) {
      if (table.meta.num_entries == 0) {
        // Nothing to list; keep the file out of the way rather than delete it.
        report_->dropped.push_back({number, "the table holds no entries", false});
        to_back_up_.push_back(TableBaseName(number));
        return Status::OK();
      }
      table.preexisting = true;
      table.kept_index = report_->kept.size();
      report_->kept.push_back({number, number, table.meta.num_entries, size});
      tables_.push_back(std::move(table));
      return Status::OK();
    }
    if (!s.IsCorruption()) return s;  // I/O errors and newer formats stop the repair
    return SalvageTable(number, size, s.message());
  }

  // Copies every data block of a damaged table that still reads, checks and
  // parses into a new table. The original goes to the backup.
  Status SalvageTable(uint64_t number, uint64_t size, const std::string& first_damage) {
    to_back_up_.push_back(TableBaseName(number));
    // `why` adds to the damage found by the first read, unless it is the
    // same problem seen again (a bad footer or index fails both reads).
    auto drop = [&](const std::string& why) {
      const bool same = why.empty() || first_damage.find(why) != std::string::npos;
      report_->dropped.push_back({number, same ? first_damage : first_damage + "; " + why, true});
      return Status::OK();
    };
    std::unique_ptr<RandomAccessFile> file;
    STRATA_RETURN_IF_ERROR(env_->NewRandomAccessFile(TableFileName(dbname_, number), &file));
    std::unique_ptr<TableSalvageIterator> blocks;
    Status s = TableSalvageIterator::Open(options_, std::move(file), size, number, &blocks);
    if (s.IsIOError() || s.IsNotSupported()) return s;
    if (!s.ok()) return drop(s.message());

    RepairReport::SalvagedTable salvaged;
    salvaged.original_number = number;
    salvaged.damage = first_damage;
    salvaged.entries_expected = blocks->entries_expected();
    const uint64_t out_number = NewFileNumber();
    TableFileBuilder output(options_, env_, dbname_, out_number);
    while (blocks->NextBlock()) {
      for (const auto& [key, value] : blocks->entries()) {
        STRATA_RETURN_IF_ERROR(output.Add(key, value));
      }
      salvaged.entries_kept += blocks->entries().size();
    }
    STRATA_RETURN_IF_ERROR(blocks->status());
    salvaged.blocks_kept = blocks->blocks_kept();
    salvaged.blocks_dropped = blocks->blocks_dropped();
    // The rest of the index is unreadable, so the blocks it names are lost.
    if (!blocks->index_damage().empty()) salvaged.damage += "; " + blocks->index_damage();
    if (output.NumEntries() == 0) {
      output.Abandon();
      return drop("no data block could be read");
    }
    for (const RangeTombstone& t : blocks->range_deletions()) output.AddRangeDeletion(t);
    STRATA_RETURN_IF_ERROR(Publish(&output));
    salvaged.number = out_number;
    report_->salvaged.push_back(std::move(salvaged));
    return Status::OK();
  }

  // ---- Step 3: logs -----------------------------------------------------

  Status ConvertLog(uint64_t number) {
    to_back_up_.push_back(LogBaseName(number));
    RepairReport::RecoveredLog log;
    STRATA_RETURN_IF_ERROR(ConvertLogToTables(
        options_, env_, dbname_, number, [this] { return NewFileNumber(); },
        [this](TableFileBuilder* table) { return Publish(table); }, &log));
    report_->logs.push_back(std::move(log));
    return Status::OK();
  }

  // ---- Step 4: an order in which newer versions win ------------------------

  // The tables' iterators, for FindPrecedence and MergeTables; *readers
  // keeps their readers open. Only the tables in `group` when given.
  Status OpenAll(const std::set<uint64_t>* group,
                 std::vector<std::unique_ptr<TableReader>>* readers,
                 std::vector<std::unique_ptr<InternalIterator>>* iterators) {
    TableReadOptions ro;
    ro.fill_cache = false;
    for (const RecoveredTable& t : tables_) {
      if (group != nullptr && !group->count(t.meta.number)) continue;
      std::unique_ptr<TableReader> reader;
      STRATA_RETURN_IF_ERROR(OpenTable(t.meta.number, t.meta.file_size, &reader));
      iterators->push_back(reader->NewIterator(ro));
      readers->push_back(std::move(reader));
    }
    return Status::OK();
  }

  // Merges the given tables into new ones holding the newest version of each
  // key (a tombstone stays a tombstone: it still hides older versions in
  // other tables). The inputs leave tables_.
  Status MergeTables(const std::set<uint64_t>& group) {
    RepairReport::MergedTables merged;
    for (const RecoveredTable& t : tables_) {
      if (group.count(t.meta.number)) merged.inputs.push_back(t.meta.number);
    }
    std::vector<std::unique_ptr<TableReader>> readers;
    std::vector<std::unique_ptr<InternalIterator>> iterators;
    STRATA_RETURN_IF_ERROR(OpenAll(&group, &readers, &iterators));
    std::vector<RecoveredTable> outputs;
    std::unique_ptr<TableFileBuilder> output;
    auto finish_output = [&]() -> Status {
      if (!output) return Status::OK();
      Status s = Publish(output.get(), &outputs);
      output.reset();
      if (s.ok()) merged.outputs.push_back(outputs.back().meta.number);
      return s;
    };
    TaggedMerge merge(std::move(iterators));
    std::string user_key;
    bool have_key = false;
    for (; merge.Valid(); merge.Next()) {
      const std::string_view user = ExtractUserKey(merge.key());
      if (have_key && user == std::string_view(user_key)) continue;  // an older version
      user_key.assign(user);
      have_key = true;
      if (output && output->FileSize() >= options_.table_file_bytes) {
        STRATA_RETURN_IF_ERROR(finish_output());
      }
      if (!output) {
        output = std::make_unique<TableFileBuilder>(options_, env_, dbname_, NewFileNumber());
      }
      STRATA_RETURN_IF_ERROR(output->Add(merge.key(), merge.value()));
    }
    STRATA_RETURN_IF_ERROR(merge.status());
    STRATA_RETURN_IF_ERROR(finish_output());

    // The inputs are replaced: originals go to the backup, the repairer's
    // own outputs are deleted.
    std::vector<RecoveredTable> remaining;
    for (RecoveredTable& t : tables_) {
      if (!group.count(t.meta.number)) {
        remaining.push_back(std::move(t));
        continue;
      }
      if (t.preexisting) {
        to_back_up_.push_back(TableBaseName(t.meta.number));
        report_->kept[t.kept_index].number = 0;  // not kept as a file after all
      } else {
        env_->RemoveFile(TableFileName(dbname_, t.meta.number));
        outputs_.erase(t.meta.number);
      }
    }
    for (auto& t : outputs) remaining.push_back(std::move(t));
    tables_ = std::move(remaining);
    report_->merged.push_back(std::move(merged));
    return Status::OK();
  }

  Status OrderTables() {
    std::vector<std::set<size_t>> edges;
    for (int round = 0;; ++round) {
      {
        std::vector<std::unique_ptr<TableReader>> readers;
        std::vector<std::unique_ptr<InternalIterator>> iterators;
        STRATA_RETURN_IF_ERROR(OpenAll(nullptr, &readers, &iterators));
        STRATA_RETURN_IF_ERROR(FindPrecedence(std::move(iterators), &edges));
      }
      std::vector<std::vector<size_t>> cycles = Cycles(edges);
      if (cycles.empty()) break;
      if (round > 0) {
        // Cannot happen: merging each cycle into one sorted run leaves the
        // precedence graph acyclic. Merging everything is consistent anyway.
        cycles.assign(1, std::vector<size_t>());
        for (size_t i = 0; i < tables_.size(); ++i) cycles[0].push_back(i);
      }
      // MergeTables rebuilds tables_, so name the groups by file number.
      std::vector<std::set<uint64_t>> groups;
      for (const auto& cycle : cycles) {
        std::set<uint64_t> numbers;
        for (size_t i : cycle) numbers.insert(tables_[i].meta.number);
        groups.push_back(std::move(numbers));
      }
      for (const auto& group : groups) STRATA_RETURN_IF_ERROR(MergeTables(group));
    }
    const size_t n = tables_.size();
    std::vector<size_t> newest_first;
    STRATA_RETURN_IF_ERROR(NewestFirst(edges, [this](size_t a, size_t b) {
      if (tables_[a].max_sequence != tables_[b].max_sequence) {
        return tables_[a].max_sequence < tables_[b].max_sequence;
      }
      return tables_[a].meta.number < tables_[b].meta.number;
    }, &newest_first));

    // The current numbers do if every table that must come first already has
    // the larger number; otherwise every table gets a new one, oldest lowest.
    bool consistent = true;
    for (size_t v = 0; v < n && consistent; ++v) {
      for (size_t w : edges[v]) {
        if (tables_[v].meta.number <= tables_[w].meta.number) consistent = false;
      }
    }
    if (!consistent) {
      report_->renumbered = true;
      for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) {
        STRATA_RETURN_IF_ERROR(Renumber(&tables_[*it], NewFileNumber()));
      }
    }
    return Status::OK();
  }

  // Gives a table a new number. A table the old manifest lists gets a second
  // name (a hard link), so the old manifest stays valid until CURRENT
  // switches; its old name is removed afterwards.
  Status Renumber(RecoveredTable* t, uint64_t number) {
    const std::string from = TableFileName(dbname_, t->meta.number);
    const std::string to = TableFileName(dbname_, number);
    if (t->preexisting) {
      Status s = env_->LinkFile(from, to);
      if (s.IsNotSupported()) s = CopyFile(env_, from, to);
      STRATA_RETURN_IF_ERROR(s);
      old_names_.push_back(from);
      report_->kept[t->kept_index].number = number;
    } else {
      STRATA_RETURN_IF_ERROR(env_->RenameFile(from, to));
      outputs_.erase(t->meta.number);
      for (auto& s : report_->salvaged) {
        if (s.number == t->meta.number) s.number = number;
      }
      for (auto& l : report_->logs) {
        for (auto& n : l.tables) {
          if (n == t->meta.number) n = number;
        }
      }
      for (auto& m : report_->merged) {
        for (auto& n : m.outputs) {
          if (n == t->meta.number) n = number;
        }
      }
    }
    outputs_.insert(number);
    t->meta.number = number;
    return Status::OK();
  }

  // ---- Step 5: the new manifest ------------------------------------------

  Status WriteManifestAndSwitch() {
    const uint64_t manifest_number = NewFileNumber();
    SequenceNumber last_sequence = 0;
    VersionEdit snapshot;
    for (const auto& t : tables_) {
      snapshot.AddFile(0, t.meta);
      last_sequence = std::max(last_sequence, t.max_sequence);
      report_->live_entries += t.meta.num_entries;
    }
    // Every log was converted: none is to be replayed again.
    snapshot.SetLogNumber(next_file_number_);
    snapshot.SetNextFileNumber(next_file_number_);
    snapshot.SetLastSequence(last_sequence);

    if (has_current_) {
      // The old CURRENT is copied, not moved: until the switch the directory
      // must stay openable as it was.
      STRATA_RETURN_IF_ERROR(EnsureBackupDir());
      STRATA_RETURN_IF_ERROR(
          CopyFile(env_, CurrentFileName(dbname_), CurrentFileName(report_->backup_dir)));
      report_->backed_up.push_back("CURRENT");
    }
    bool switched = false;
    Status s = WriteManifestSnapshot(env_, dbname_, manifest_number, snapshot, &switched);
    if (switched) outputs_.clear();  // published: nothing to clean up any more
    STRATA_RETURN_IF_ERROR(s);
    report_->manifest_number = manifest_number;
    report_->live_tables = tables_.size();
    report_->last_sequence = last_sequence;
    report_->next_file_number = next_file_number_;
    return Status::OK();
  }

  // ---- Step 6: backups ------------------------------------------------------

  Status EnsureBackupDir() {
    if (!report_->backup_dir.empty()) return Status::OK();
    // Wall-clock time (Env::NowMicros is a monotonic clock), for people.
    const time_t now = std::time(nullptr);
    struct tm utc;
    gmtime_r(&now, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
    std::string dir = dbname_ + "/backup-" + stamp;
    for (int i = 2; env_->FileExists(dir); ++i) {
      dir = dbname_ + "/backup-" + stamp + "-" + std::to_string(i);
    }
    STRATA_RETURN_IF_ERROR(env_->CreateDir(dir));
    report_->backup_dir = dir;
    return Status::OK();
  }

  Status MoveReplacedFilesAside() {
    std::vector<std::string> names = manifests_;
    names.insert(names.end(), to_back_up_.begin(), to_back_up_.end());
    for (const auto& name : names) {
      const std::string from = dbname_ + "/" + name;
      if (!env_->FileExists(from)) continue;
      STRATA_RETURN_IF_ERROR(EnsureBackupDir());
      STRATA_RETURN_IF_ERROR(env_->RenameFile(from, report_->backup_dir + "/" + name));
      report_->backed_up.push_back(name);
    }
    // Second names of renumbered tables: the data lives on under the new one.
    for (const auto& path : old_names_) STRATA_RETURN_IF_ERROR(env_->RemoveFile(path));
    STRATA_RETURN_IF_ERROR(env_->SyncDir(dbname_));
    if (!report_->backup_dir.empty()) STRATA_RETURN_IF_ERROR(env_->SyncDir(report_->backup_dir));
    return Status::OK();
  }

  // After a failure before the switch: the new tables are nobody's.
  void RemoveUnpublishedOutputs() {
    for (uint64_t number : outputs_) env_->RemoveFile(TableFileName(dbname_, number));
    outputs_.clear();
  }

  Options options_;
  Env* const env_;
  const std::string dbname_;
  RepairReport* const report_;
  std::unique_ptr<FileLock> lock_;

  std::map<uint64_t, uint64_t> table_files_;  // number -> size
  std::set<uint64_t> log_files_;
  std::vector<std::string> manifests_;
  bool has_current_ = false;
  bool have_old_manifest_ = false;
  std::set<uint64_t> old_live_;  // tables the old manifest lists
  uint64_t old_next_file_ = 0;
  uint64_t next_file_number_ = 1;

  std::vector<RecoveredTable> tables_;  // what the new manifest will list
  std::set<uint64_t> outputs_;          // files this repair created, unpublished
  std::vector<std::string> to_back_up_;  // names to move aside after the switch
  std::vector<std::string> old_names_;   // paths to unlink after the switch
};

}  // namespace

Status RepairDB(const Options& options, const std::string& dbname, RepairReport* report) {
  if (report == nullptr) return Status::InvalidArgument("repair: report is null");
  *report = RepairReport();
  if (dbname.empty()) return Status::InvalidArgument("database path is empty");
  STRATA_RETURN_IF_ERROR(options.Validate());
  Repairer repairer(options, dbname, report);
  return repairer.Run();
}

}  // namespace strata
