// A write-ahead log file appended through a shared memory mapping.
//
// Append copies the bytes into a MAP_SHARED window of the file: they are in
// the kernel's page cache the moment the copy ends, so they survive a crash
// of the process exactly as bytes handed over by write(2) do, without a
// system call per record (on this machine a 130-byte write(2) costs about
// 1 µs, the copy about 0.2 µs with the page faults included). Flush
// therefore has nothing to do; Sync is fdatasync(2), which writes back the
// pages dirtied through the mapping as it does those dirtied by write(2).
//
// The copy stores the bytes in address order, so a process killed during
// an append leaves a prefix of them followed by zeros (the torn tail log
// readers cut), never zeros followed by data.
//
// Space is reserved ahead with fallocate(2) one window (1 MiB) at a time, so
// a full disk is an error from Append (ENOSPC, before any byte of the append
// is copied into a new window) and never a SIGBUS on a store; only one
// window is mapped at a time, so the log adds at most a window to the
// process's resident memory. Until Close trims the file to its contents,
// the file ends in up to a window of zeros: log readers take zeros after the
// last record for the torn tail a crash leaves (docs/FORMATS.md).
//
// Thread safety: not thread-safe (one writer, as for every WritableFile).
// Ownership: owns the descriptor and the mapping; Close or the destructor
// releases both.
#pragma once

#include <memory>
#include <string>

#include "core/env.h"

namespace strata {

// Makes a mapped log file of `fd`, a new, empty file of `path` opened for
// reading and writing (mmap needs both), taking ownership of fd on success.
// On failure fd stays with the caller: NotSupported when the filesystem
// cannot reserve space or map the file (the file is left empty, and the
// caller writes the log with write(2) instead), another error (a full disk)
// as the first append would have failed.
Status NewPosixMappedLogFile(const std::string& path, int fd, std::unique_ptr<WritableFile>* out);

}  // namespace strata
