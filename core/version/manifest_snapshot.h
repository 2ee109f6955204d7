// WriteManifestSnapshot: starts a database's manifest afresh from one full
// snapshot and makes CURRENT name it. Checkpoint (a new directory) and repair
// (a rebuilt database) both publish their result this way.
//
// Steps, each durable before the next: MANIFEST-<number> is created
// (exclusively) holding the one record `snapshot` and synced; the directory
// is synced, so the manifest and every file created before the call (the
// tables the snapshot lists) are named durably; then CURRENT is replaced
// atomically (WriteFileAtomically: temp file, fsync, rename, directory
// fsync). A crash at any point leaves CURRENT naming either the old manifest
// or the new, complete one.
//
// Thread safety: a pure function of its arguments and the files; the caller
// keeps anyone else from changing CURRENT in `dir` meanwhile (LOCK, or a
// directory nobody else knows yet).
#pragma once

#include <cstdint>
#include <string>

#include "core/env.h"
#include "core/status.h"
#include "core/version/version_edit.h"

namespace strata {

// On failure the new manifest is removed, unless CURRENT already names it
// (only the final directory sync failed): it is then the live manifest.
// *switched (when not null) says whether CURRENT names the new manifest:
// true on success and in that case, false otherwise.
Status WriteManifestSnapshot(Env* env, const std::string& dir, uint64_t number,
                             const VersionEdit& snapshot, bool* switched = nullptr);

}  // namespace strata
