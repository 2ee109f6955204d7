// DB::Checkpoint: a consistent, openable copy of a live database.
//
// The memtable is flushed first, so every write acknowledged before the call
// is in a table; then the current Version is pinned (its tables cannot be
// deleted while it is held), its tables are hard-linked into the new
// directory, and a manifest describing exactly that Version is written
// there. Writes go on meanwhile into the new memtable; the copy does not
// include them. Linking, not copying, makes a checkpoint cost little space
// or time: tables are immutable, so sharing their inodes is safe.
#include <memory>

#include "core/db/db.h"
#include "core/db/destroy.h"
#include "core/filename.h"
#include "core/version/manifest_snapshot.h"
#include "core/version/version_edit.h"
#include "core/version/version_set.h"

namespace strata {

namespace {

Status LinkOrCopy(Env* env, const std::string& from, const std::string& to) {
  Status s = env->LinkFile(from, to);
  if (s.IsNotSupported()) s = CopyFile(env, from, to);
  return s;
}

Status WriteCheckpoint(Env* env, const std::string& dbname, const std::string& dir,
                       const Version& version, SequenceNumber last_sequence,
                       uint64_t manifest_number) {
  STRATA_RETURN_IF_ERROR(env->CreateDir(dir));
  VersionEdit snapshot;
  snapshot.SetLogNumber(0);  // the copy has no logs: its tables hold everything
  snapshot.SetNextFileNumber(manifest_number + 1);
  snapshot.SetLastSequence(last_sequence);
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : version.files(level)) {
      STRATA_RETURN_IF_ERROR(
          LinkOrCopy(env, TableFileName(dbname, f->number), TableFileName(dir, f->number)));
      snapshot.AddFile(level, *f);
    }
  }
  // The links must be durable before CURRENT names them: the routine syncs
  // the directory before switching.
  return WriteManifestSnapshot(env, dir, manifest_number, snapshot);
}

}  // namespace

Status DB::Checkpoint(const std::string& dir) {
  // A checkpoint flushes the memtable into the database first, which a
  // read-only handle may not do.
  STRATA_RETURN_IF_ERROR(CheckWritable("a checkpoint"));
  if (dir.empty()) return Status::InvalidArgument("checkpoint directory is empty");
  if (env_->FileExists(dir)) {
    return Status::InvalidArgument("checkpoint directory " + dir + " already exists");
  }
  STRATA_RETURN_IF_ERROR(Flush());
  std::shared_ptr<const Version> version;
  SequenceNumber last_sequence;
  uint64_t manifest_number;
  {
    MutexLock lock(mu_);
    version = versions_->current();
    last_sequence = last_sequence_.load();
    manifest_number = versions_->NewFileNumber();
  }
  Status s = WriteCheckpoint(env_, dbname_, dir, *version, last_sequence, manifest_number);
  if (!s.ok()) DestroyDB(env_, dir);  // leave no half-made copy that looks like a database
  return s;
}

}  // namespace strata
