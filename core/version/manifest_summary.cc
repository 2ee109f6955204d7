#include "core/version/manifest_summary.h"

#include <memory>

#include "core/filename.h"
#include "core/version/version_edit.h"
#include "core/wal/log_reader.h"

namespace strata {

Status ReadManifestSummary(Env* env, const std::string& dbname, ManifestSummary* out) {
  *out = ManifestSummary();
  std::string current;
  if (!ReadFileToString(env, CurrentFileName(dbname), &current).ok() || current.empty() ||
      current.back() != '\n') {
    return Status::Corruption("CURRENT is damaged");
  }
  current.pop_back();
  uint64_t manifest_number = 0;
  if (ParseFileName(current, &manifest_number) != FileKind::kManifest) {
    return Status::Corruption("CURRENT names '" + current + "'");
  }
  const std::string path = dbname + "/" + current;
  uint64_t size = 0;
  std::unique_ptr<SequentialFile> file;
  if (!env->GetFileSize(path, &size).ok() || !env->NewSequentialFile(path, &file).ok()) {
    return Status::Corruption(current + " is missing");
  }
  log::Reader reader(std::move(file), path, size);
  std::optional<uint64_t> next_file;
  std::string record;
  while (reader.ReadRecord(&record)) {
    VersionEdit edit;
    Status s = edit.DecodeFrom(record);
    if (!s.ok()) return Status::Corruption(current + ": " + s.message());
    // Removals first, as VersionBuilder applies them: a move to another
    // level removes and adds the same table in one edit.
    for (const auto& [level, number] : edit.deleted_files()) out->live_tables.erase(number);
    for (const auto& [level, f] : edit.new_files()) out->live_tables.insert(f.number);
    if (edit.next_file_number()) next_file = edit.next_file_number();
    if (edit.log_number()) out->log_number = edit.log_number();
  }
  STRATA_RETURN_IF_ERROR(reader.status());
  if (!next_file) return Status::Corruption(current + " is incomplete");
  out->name = current;
  out->next_file_number = *next_file;
  return Status::OK();
}

}  // namespace strata
