#include "core/version/manifest_snapshot.h"

#include <memory>

#include "core/filename.h"
#include "core/wal/log_writer.h"

namespace strata {

Status WriteManifestSnapshot(Env* env, const std::string& dir, uint64_t number,
                             const VersionEdit& snapshot, bool* switched) {
  if (switched != nullptr) *switched = false;
  const std::string path = ManifestFileName(dir, number);
  const std::string name = path.substr(dir.size() + 1);
  std::unique_ptr<WritableFile> file;
  STRATA_RETURN_IF_ERROR(env->NewExclusiveWritableFile(path, &file));
  Status s;
  {
    log::Writer writer(std::move(file));
    std::string record;
    snapshot.EncodeTo(&record);
    s = writer.AddRecord(record);
    if (s.ok()) s = writer.Sync();
    if (s.ok()) s = writer.Close();
  }
  // The manifest and the files it lists must be durable before CURRENT
  // names them.
  if (s.ok()) s = env->SyncDir(dir);
  if (s.ok()) s = WriteFileAtomically(env, dir, "CURRENT", name + "\n");
  std::string current;
  if (s.ok() || (ReadFileToString(env, CurrentFileName(dir), &current).ok() &&
                 current == name + "\n")) {
    if (switched != nullptr) *switched = true;
  } else {
    env->RemoveFile(path);
  }
  return s;
}

}  // namespace strata
