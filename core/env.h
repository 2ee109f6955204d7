// Env: the one seam through which strata touches the filesystem.
//
// Every file the engine reads or writes is opened through an Env, so tests can
// substitute a layer that injects I/O errors, drops unsynced data to simulate
// power loss, or tears writes (FaultInjectionEnv in
// tests/support/fault_injection_env.h). PosixEnv (core/posix_env.cc,
// Env::Default()) is the production implementation; MemEnv (core/mem_env.h)
// keeps every file in memory for fuzzers and unit tests.
//
// Thread safety: an Env is safe for concurrent use. A file object belongs to
// one thread at a time, except RandomAccessFile, whose Read and
// ReadInSequence are safe from many threads at once.
//
// Ownership: factories hand out files through std::unique_ptr out-parameters;
// on failure the out-parameter is left null.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace strata {

// A file read front to back (WAL and manifest replay).
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes. *result points into scratch (which must hold n bytes)
  // or into memory owned by the file; fewer than n bytes means end of file.
  virtual Status Read(size_t n, std::string_view* result, char* scratch) = 0;
  virtual Status Skip(uint64_t n) = 0;
};

// A file read at arbitrary offsets (SSTables).
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset. *result points into scratch (which must
  // hold n bytes); fewer than n bytes means the read reached end of file. A
  // mapped file reads with pread here too (read-ahead for whole-table passes).
  virtual Status Read(uint64_t offset, size_t n, std::string_view* result,
                      char* scratch) const = 0;
  // The same read, as one of a run in file order (an iterator's blocks, a
  // compaction's pass over its inputs). A file whose Read is tuned for
  // isolated lookups (PosixEnv's: no read-ahead, so a point read costs only
  // the pages it needs) serves these through a path with the OS's read-ahead.
  // Defaults to Read, so a wrapping test Env sees every read.
  virtual Status ReadInSequence(uint64_t offset, size_t n, std::string_view* result,
                                char* scratch) const {
    return Read(offset, n, result, scratch);
  }
  // The whole file, when it is memory-mapped (Env::NewMappedRandomAccessFile):
  // its bytes stay readable at these addresses for as long as this object
  // lives, with no copy and no system call. Empty for a file read by pread.
  virtual std::string_view mapped() const { return {}; }
};

// A file written by appending (WAL, manifest, SSTables under construction).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Hands buffered bytes to the operating system: after Flush, the data
  // survives a crash of this process (not of the machine).
  virtual Status Flush() = 0;
  // Flushes, then makes the data durable (fdatasync): it survives power loss.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes appended so far, buffered or not.
  virtual uint64_t Size() const = 0;
  // Discards everything past the first `size` bytes, buffered or written,
  // so that the next Append continues there: cuts what a failed Append or
  // Flush left of a record. Implementations that cannot say NotSupported.
  virtual Status Truncate(uint64_t size) {
    return Status::NotSupported("this file cannot be truncated while open");
  }
};

// Held while a process owns a database directory; released by Env::UnlockFile.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX environment. Never deleted.
  static Env* Default();

  virtual Status NewSequentialFile(const std::string& path,
                                   std::unique_ptr<SequentialFile>* out) = 0;
  virtual Status NewRandomAccessFile(const std::string& path,
                                     std::unique_ptr<RandomAccessFile>* out) = 0;
  // A file whose bytes are memory-mapped (RandomAccessFile::mapped), for
  // table files under Options::mmap_reads. The file must not shrink while
  // open (table files never change). Envs that do not map files, and the
  // POSIX Env when mapping fails, hand out an ordinary file instead, so a
  // caller checks mapped() rather than the status. Test Envs deriving from
  // EnvWrapper get this default, which opens through their own
  // NewRandomAccessFile and so keeps their injected faults.
  virtual Status NewMappedRandomAccessFile(const std::string& path,
                                           std::unique_ptr<RandomAccessFile>* out) {
    return NewRandomAccessFile(path, out);
  }
  // Creates or truncates.
  virtual Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) = 0;
  // Creates a new, empty file; an IOError ("File exists") when path exists,
  // which is left untouched. Every numbered file of a database is created
  // this way: a number already taken on disk means the directory holds a
  // file strata did not expect, and truncating it could destroy live data.
  virtual Status NewExclusiveWritableFile(const std::string& path,
                                          std::unique_ptr<WritableFile>* out) = 0;
  // Like NewExclusiveWritableFile, for a write-ahead log under
  // Options::wal_mmap: the POSIX Env appends through a shared memory mapping
  // (core/posix_mapped_log_file.h), so that Append alone hands the bytes to
  // the OS, and the file may end in reserved zeros until it is closed. Envs
  // that do not map files, and the POSIX Env where the filesystem cannot,
  // hand out an ordinary file instead. Test Envs deriving from EnvWrapper
  // get this default, which creates through their own
  // NewExclusiveWritableFile and so keeps their injected faults.
  virtual Status NewExclusiveMappedWritableFile(const std::string& path,
                                                std::unique_ptr<WritableFile>* out) {
    return NewExclusiveWritableFile(path, out);
  }

  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries in dir, without "." and "..".
  virtual Status GetChildren(const std::string& dir, std::vector<std::string>* names) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Succeeds if the directory already exists.
  virtual Status CreateDir(const std::string& path) = 0;
  // Removes an empty directory.
  virtual Status RemoveDir(const std::string& path) = 0;
  virtual Status GetFileSize(const std::string& path, uint64_t* size) = 0;
  // Atomically replaces `to` with `from`.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Makes `to` a second name of the file `from` (a hard link). NotSupported
  // when the filesystem cannot (another device, no hard links): callers then
  // copy. `to` must not exist.
  virtual Status LinkFile(const std::string& from, const std::string& to) = 0;
  // Makes the directory's entries (creations, renames, deletions) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Sets a file's length to `size` bytes, cutting it or extending it with
  // zeros, as ftruncate(2) does. The engine cuts a log it is still writing
  // through WritableFile::Truncate instead; this serves tests and tools that
  // shape files on disk.
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Overwrites data.size() bytes of an existing file at `offset`, which
  // must lie within the file (it never grows), and makes them durable
  // (fdatasync) before returning. For patching a table in place (a bulk
  // ingest's global sequence number, core/table/global_sequence.h).
  // NotSupported from Envs that cannot.
  virtual Status OverwriteFileRange(const std::string& path, uint64_t offset,
                                    std::string_view data) {
    return Status::NotSupported("OverwriteFileRange is not supported by this Env: " + path);
  }

  // Takes an exclusive lock on path, creating it if needed. A second lock of
  // the same file, from this process or another, fails with Status::Busy.
  virtual Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) = 0;
  // Takes a shared lock on path, which must exist (it is never created: a
  // read-only open writes nothing). Any number of shared locks of a file may
  // be held at once, from this process or others; a shared and an exclusive
  // lock exclude each other, the later one failing with Status::Busy. A
  // missing file is NotFound.
  virtual Status LockFileShared(const std::string& path, std::unique_ptr<FileLock>* lock) = 0;
  virtual Status UnlockFile(std::unique_ptr<FileLock> lock) = 0;

  virtual uint64_t NowMicros() = 0;
};

// Forwards every call to another Env; fault-injecting test Envs derive from it
// and override only what they perturb.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  Status NewSequentialFile(const std::string& p, std::unique_ptr<SequentialFile>* o) override {
    return target_->NewSequentialFile(p, o);
  }
  Status NewRandomAccessFile(const std::string& p,
                             std::unique_ptr<RandomAccessFile>* o) override {
    return target_->NewRandomAccessFile(p, o);
  }
  Status NewWritableFile(const std::string& p, std::unique_ptr<WritableFile>* o) override {
    return target_->NewWritableFile(p, o);
  }
  Status NewExclusiveWritableFile(const std::string& p,
                                  std::unique_ptr<WritableFile>* o) override {
    return target_->NewExclusiveWritableFile(p, o);
  }
  bool FileExists(const std::string& p) override { return target_->FileExists(p); }
  Status GetChildren(const std::string& d, std::vector<std::string>* n) override {
    return target_->GetChildren(d, n);
  }
  Status RemoveFile(const std::string& p) override { return target_->RemoveFile(p); }
  Status CreateDir(const std::string& p) override { return target_->CreateDir(p); }
  Status RemoveDir(const std::string& p) override { return target_->RemoveDir(p); }
  Status GetFileSize(const std::string& p, uint64_t* s) override {
    return target_->GetFileSize(p, s);
  }
  Status RenameFile(const std::string& f, const std::string& t) override {
    return target_->RenameFile(f, t);
  }
  Status LinkFile(const std::string& f, const std::string& t) override {
    return target_->LinkFile(f, t);
  }
  Status SyncDir(const std::string& d) override { return target_->SyncDir(d); }
  Status TruncateFile(const std::string& p, uint64_t s) override {
    return target_->TruncateFile(p, s);
  }
  Status OverwriteFileRange(const std::string& p, uint64_t o, std::string_view d) override {
    return target_->OverwriteFileRange(p, o, d);
  }
  Status LockFile(const std::string& p, std::unique_ptr<FileLock>* l) override {
    return target_->LockFile(p, l);
  }
  Status LockFileShared(const std::string& p, std::unique_ptr<FileLock>* l) override {
    return target_->LockFileShared(p, l);
  }
  Status UnlockFile(std::unique_ptr<FileLock> l) override {
    return target_->UnlockFile(std::move(l));
  }
  uint64_t NowMicros() override { return target_->NowMicros(); }

 private:
  Env* target_;
};

// Reads a whole file into *data.
Status ReadFileToString(Env* env, const std::string& path, std::string* data);
// Copies the file `from` to `to` (created or truncated) and syncs the copy.
Status CopyFile(Env* env, const std::string& from, const std::string& to);
// Writes data to path durably: a temporary file, fsync, rename over path,
// fsync of the directory. Used for CURRENT.
Status WriteFileAtomically(Env* env, const std::string& dir, const std::string& name,
                           std::string_view data);

}  // namespace strata
