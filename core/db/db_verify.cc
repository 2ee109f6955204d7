// DB::Verify: a full read of every live table, checking what a normal read
// checks only lazily.
#include <memory>

#include "core/db/db.h"
#include "core/filename.h"
#include "core/table/table_reader.h"
#include "core/version/version_set.h"

namespace strata {

namespace {

// Reads every entry of one table straight from disk (no block cache, so a
// cached good copy cannot hide a damaged block on disk), with checksums on,
// and checks that keys parse, ascend strictly, and match the manifest's
// range, and that the gaps between data blocks are as written.
Status VerifyTable(Env* env, const Options& options, const std::string& dbname,
                   const FileMetaData& f) {
  const std::string path = TableFileName(dbname, f.number);
  Options verifying = options;
  verifying.verify_checksums = true;
  std::unique_ptr<RandomAccessFile> file;
  STRATA_RETURN_IF_ERROR(env->NewRandomAccessFile(path, &file));
  std::unique_ptr<TableReader> table;
  STRATA_RETURN_IF_ERROR(
      TableReader::Open(verifying, std::move(file), f.file_size, f.number, nullptr, &table));
  TableReadOptions read_options;
  read_options.fill_cache = false;
  auto it = table->NewIterator(read_options);
  std::string previous;
  uint64_t entries = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key();
    ParsedInternalKey parsed;
    if (!ParseInternalKey(key, &parsed)) {
      return Status::Corruption(path + ": malformed internal key in entry " +
                                std::to_string(entries));
    }
    if (entries > 0 && CompareInternalKeys(previous, key) >= 0) {
      return Status::Corruption(path + ": keys out of order at entry " + std::to_string(entries));
    }
    if (entries == 0 && !f.smallest.empty() && CompareInternalKeys(key, f.smallest) != 0) {
      return Status::Corruption(path + ": first key differs from the manifest's smallest key");
    }
    previous.assign(key);
    ++entries;
  }
  STRATA_RETURN_IF_ERROR(it->status());
  if (entries > 0 && !f.largest.empty() && CompareInternalKeys(previous, f.largest) != 0) {
    return Status::Corruption(path + ": last key differs from the manifest's largest key");
  }
  if (f.num_entries != 0 && entries != f.num_entries) {
    return Status::Corruption(path + ": holds " + std::to_string(entries) +
                              " entries, the manifest says " + std::to_string(f.num_entries));
  }
  return table->VerifyGaps();
}

}  // namespace

// Names the file in a failure that does not name it already.
static Status WithPath(const std::string& path, Status s) {
  if (s.ok() || s.message().find(path) != std::string::npos) return s;
  if (s.IsCorruption()) return Status::Corruption(path + ": " + s.message());
  return s;
}

Status DB::Verify() {
  std::shared_ptr<const Version> version;
  {
    MutexLock lock(mu_);
    version = versions_->current();  // pinned: its files stay while we read
  }
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : version->files(level)) {
      STRATA_RETURN_IF_ERROR(
          WithPath(TableFileName(dbname_, f->number), VerifyTable(env_, options_, dbname_, *f)));
    }
  }
  return Status::OK();
}

}  // namespace strata
