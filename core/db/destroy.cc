#include "core/db/destroy.h"

#include <memory>
#include <vector>

#include "core/filename.h"

namespace strata {

Status DestroyDB(Env* env, const std::string& path) {
  if (!env->FileExists(path)) return Status::OK();
  std::vector<std::string> names;
  STRATA_RETURN_IF_ERROR(env->GetChildren(path, &names));
  if (names.empty()) return env->RemoveDir(path);

  std::unique_ptr<FileLock> lock;
  const std::string lock_path = LockFileName(path);
  STRATA_RETURN_IF_ERROR(env->LockFile(lock_path, &lock));
  Status result;
  bool foreign_files = false;
  for (const auto& name : names) {
    uint64_t number;
    const FileKind kind = ParseFileName(name, &number);
    if (kind == FileKind::kLock) continue;  // last, after the lock is released
    if ((kind == FileKind::kUnknown && !IsCurrentTempFile(name)) ||
        kind == FileKind::kOutOfRange) {
      foreign_files = true;
      continue;
    }
    Status s = env->RemoveFile(path + "/" + name);
    if (!s.ok() && result.ok()) result = s;
  }
  env->UnlockFile(std::move(lock));
  env->RemoveFile(lock_path);
  if (result.ok()) result = env->SyncDir(path);
  if (result.ok() && !foreign_files) result = env->RemoveDir(path);
  return result;
}

}  // namespace strata
