// DestroyDB: removes a database that nobody has open.
//
// Thread safety: safe to call from any thread; it takes the database's LOCK
// first, so it fails with Busy rather than pull files from under an open
// handle in this process or another.
#pragma once

#include <string>

#include "core/env.h"
#include "core/status.h"

namespace strata {

// Deletes the files strata made in `path` (CURRENT, LOCK, manifests, logs,
// tables, temporary files), then the directory itself if nothing else is
// left in it. Files strata did not make are left alone. OK when `path` does
// not exist.
Status DestroyDB(Env* env, const std::string& path);

}  // namespace strata
