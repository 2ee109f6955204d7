#include "core/version/version_set.h"

#include <optional>

#include "core/filename.h"
#include "core/wal/log_reader.h"

namespace strata {

VersionSet::VersionSet(std::string dbname, Env* env)
    : dbname_(std::move(dbname)), env_(env), current_(std::make_shared<Version>()) {}

void VersionSet::MarkFileNumberUsed(uint64_t n) {
  uint64_t cur = next_file_number_.load();
  while (cur <= n && !next_file_number_.compare_exchange_weak(cur, n + 1)) {
  }
}

void VersionSet::Install(std::shared_ptr<Version> v) {
  versions_.remove_if([](const auto& w) { return w.expired(); });
  versions_.push_back(v);
  current_ = std::move(v);
  if (on_install_) on_install_(*current_);
}

void VersionSet::AddLiveFiles(std::set<uint64_t>* live) {
  versions_.remove_if([](const auto& w) { return w.expired(); });
  for (const auto& w : versions_) {
    if (auto v = w.lock()) {
      for (int level = 0; level < kNumLevels; ++level) {
        for (const auto& f : v->files(level)) live->insert(f->number);
      }
    }
  }
}

Status VersionSet::CreateNew() {
  log_number_ = 0;
  last_sequence_ = 0;
  return WriteSnapshotManifest();
}

Status VersionSet::WriteSnapshotManifest() {
  const uint64_t number = NewFileNumber();
  const std::string path = ManifestFileName(dbname_, number);
  std::unique_ptr<WritableFile> file;
  STRATA_RETURN_IF_ERROR(env_->NewExclusiveWritableFile(path, &file));
  auto writer = std::make_unique<log::Writer>(std::move(file));

  VersionEdit snapshot;
  snapshot.SetLogNumber(log_number_);
  snapshot.SetNextFileNumber(next_file_number_.load());
  snapshot.SetLastSequence(last_sequence_);
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : current_->files(level)) snapshot.AddFile(level, *f);
  }
  std::string record;
  snapshot.EncodeTo(&record);
  const std::string name = path.substr(dbname_.size() + 1);
  Status s = writer->AddRecord(record);
  if (s.ok()) s = writer->Sync();
  if (s.ok()) s = WriteFileAtomically(env_, dbname_, "CURRENT", name + "\n");
  if (!s.ok()) {
    writer.reset();
    // When only the directory sync after the rename failed, CURRENT already
    // names the new manifest (which is complete and synced): removing it
    // would leave CURRENT pointing at nothing.
    std::string current;
    if (!ReadFileToString(env_, CurrentFileName(dbname_), &current).ok() ||
        current != name + "\n") {
      env_->RemoveFile(path);
    }
    return s;
  }
  manifest_ = std::move(writer);
  manifest_number_ = number;
  return Status::OK();
}

Status VersionSet::Recover(bool start_manifest) {
  std::string current;
  Status s = ReadFileToString(env_, CurrentFileName(dbname_), &current);
  if (!s.ok()) {
    if (s.IsNotFound()) return Status::Corruption("CURRENT file is missing in " + dbname_);
    return s;
  }
  if (current.empty() || current.back() != '\n') {
    return Status::Corruption("CURRENT file in " + dbname_ + " is damaged");
  }
  current.pop_back();
  uint64_t number;
  if (ParseFileName(current, &number) != FileKind::kManifest) {
    return Status::Corruption("CURRENT names '" + current + "', not a manifest");
  }
  const std::string path = dbname_ + "/" + current;
  if (!env_->FileExists(path)) {
    return Status::Corruption("manifest " + path + " named by CURRENT is missing");
  }
  uint64_t size = 0;
  std::unique_ptr<SequentialFile> file;
  s = env_->GetFileSize(path, &size);
  if (s.ok()) s = env_->NewSequentialFile(path, &file);
  if (!s.ok()) {
    if (s.IsNotFound()) return Status::Corruption("manifest " + path + " named by CURRENT is missing");
    return s;
  }

  log::Reader reader(std::move(file), path, size);
  VersionBuilder builder(nullptr);
  std::optional<uint64_t> log_number, next_file, last_seq;
  std::string record;
  int records = 0;
  while (reader.ReadRecord(&record)) {
    VersionEdit edit;
    STRATA_RETURN_IF_ERROR(edit.DecodeFrom(record));
    builder.Apply(edit);
    if (edit.log_number()) log_number = edit.log_number();
    if (edit.next_file_number()) next_file = edit.next_file_number();
    if (edit.last_sequence()) last_seq = edit.last_sequence();
    ++records;
  }
  STRATA_RETURN_IF_ERROR(reader.status());
  if (records == 0 || !log_number || !next_file || !last_seq) {
    return Status::Corruption("manifest " + path + " is empty or incomplete");
  }
  // An edit only ever names as the oldest log one that exists (numbered
  // below the next file number it records), and that log is deleted only
  // after a later edit moves past it. So if it is gone, the manifest lost
  // its latest edits (cut short, or an older copy put back): going on would
  // silently drop the writes those edits had moved into tables. (A
  // checkpoint records log 0 and a repair the next file number, "no log":
  // neither names a log that must exist.)
  if (*log_number != 0 && *log_number < *next_file &&
      !env_->FileExists(LogFileName(dbname_, *log_number))) {
    return Status::Corruption("manifest " + path + " names log " +
                              LogFileName(dbname_, *log_number) +
                              " as the oldest one needed, and it is missing: the manifest or the "
                              "log was lost (kv_repair can rebuild the database)");
  }
  std::string error;
  auto version = builder.Build(&error);
  if (!error.empty()) return Status::Corruption("manifest " + path + ": " + error);

  Install(std::move(version));
  log_number_ = *log_number;
  last_sequence_ = *last_seq;
  MarkFileNumberUsed(std::max<uint64_t>(*next_file, 1) - 1);
  MarkFileNumberUsed(number);
  if (*log_number >= *next_file) {
    // "No log" (a repair's mark) stays that in the new snapshot: the log
    // number it records is the next file number it records, past its own.
    log_number_ = next_file_number_.load() + 1;
  }
  if (!start_manifest) return Status::OK();
  return WriteSnapshotManifest();
}

Status VersionSet::LogAndApply(VersionEdit* edit, Mutex* mu) {
  while (manifest_busy_) manifest_cv_.Wait(mu);
  if (!manifest_error_.ok()) return manifest_error_;
  manifest_busy_ = true;

  if (!edit->log_number()) edit->SetLogNumber(log_number_);
  edit->SetLastSequence(std::max(last_sequence_, edit->last_sequence().value_or(0)));
  edit->SetNextFileNumber(next_file_number_.load());

  VersionBuilder builder(current_.get());
  builder.Apply(*edit);
  std::string error;
  std::shared_ptr<Version> next = builder.Build(&error);

  std::string record;
  edit->EncodeTo(&record);
  Status s;
  if (!error.empty()) {
    s = Status::Corruption("refusing a version edit that would break level order: " + error);
  } else {
    mu->unlock();
    s = manifest_->AddRecord(record);
    if (s.ok()) s = manifest_->Sync();
    mu->lock();
    if (!s.ok()) manifest_error_ = s;
  }
  if (s.ok()) {
    Install(std::move(next));
    log_number_ = *edit->log_number();
    last_sequence_ = *edit->last_sequence();
  }
  manifest_busy_ = false;
  manifest_cv_.notify_all();
  return s;
}

}  // namespace strata
