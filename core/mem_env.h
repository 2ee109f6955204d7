// MemEnv: an Env (core/env.h) that keeps every file and directory in memory.
//
// What it is for: running the unchanged engine where real files would cost
// more than the work under test, above all the fuzz targets that open a whole
// database per input (tests/fuzz/capi_sequence_fuzzer.cc,
// wal_recovery_fuzzer.cc), and unit tests that want a filesystem with no
// leftovers. It is not a crash simulator: everything appended is immediately
// visible and stays until removed, so Flush, Sync and SyncDir do nothing (the
// fault-injecting Env in tests/support/ is the layer that drops unsynced
// data).
//
// The model, chosen to behave like the POSIX filesystem PosixEnv sits on
// wherever the engine could tell the difference:
//  - A file is a byte buffer shared by its names and its open handles, like
//    an inode. LinkFile adds a name for the same bytes; RemoveFile drops a
//    name, and handles still open go on reading; NewWritableFile on an
//    existing file empties that buffer in place (O_TRUNC), so other names
//    see it emptied too.
//  - Directories exist explicitly. A file or directory can be created only
//    in an existing directory (else NotFound, as ENOENT); RemoveDir refuses a
//    directory that still holds entries; GetChildren lists names, not paths.
//    "/" always exists, and so does "" (the directory of a relative name
//    such as "db"). Paths are compared after collapsing repeated slashes and
//    dropping a trailing one; "." and ".." are not interpreted.
//  - Locks are per path within one MemEnv: a second LockFile of a path that
//    is locked fails with Busy, as flock(2) refuses a second open of the same
//    database in one process. LockFile creates the file if needed, like
//    PosixEnv. LockFileShared does not (NotFound), and any number of shared
//    locks of a path coexist, excluding an exclusive one (flock's LOCK_SH).
//  - Errors carry the codes PosixEnv gives: opening a missing file is
//    NotFound; other failures are IOError with the errno text ("No such file
//    or directory", "File exists", "Directory not empty"...), so callers that
//    match on codes behave the same on both.
//  - Renaming works on files only (the engine renames no directory);
//    renaming a directory is NotSupported.
//
// Thread safety: every Env method is safe to call from many threads at once.
// As core/env.h requires, a SequentialFile or WritableFile belongs to one
// thread at a time, and RandomAccessFile::Read may be called concurrently.
// Reads and appends on one file's bytes through different handles are
// serialised, so a reader never sees a torn append.
//
// Ownership: NewMemEnv's caller owns the Env, which must outlive every
// database opened on it and every file handle and lock it handed out. Handles
// own a reference to their file's bytes, not to the Env.
#pragma once

#include <memory>

#include "core/env.h"

namespace strata {

// A new, empty in-memory filesystem: only "/" (and "") exist.
std::unique_ptr<Env> NewMemEnv();

}  // namespace strata
