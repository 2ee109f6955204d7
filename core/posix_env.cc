// PosixEnv: Env over POSIX file descriptors.
//
// WritableFile buffers appends in user space (64 KiB) so that many small WAL
// records cost one write(2); Flush hands them to the kernel. Locks use
// flock(2), whose locks belong to the open file description, so a second
// open of the same database in this process is refused just as one from
// another process is; shared locks (read-only opens) coexist the same way.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <mutex>

#include "core/env.h"
#include "core/posix_mapped_log_file.h"

namespace strata {

namespace {

constexpr size_t kWriteBufferBytes = 64 * 1024;

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::read(fd_, scratch + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("read " + path_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    *result = std::string_view(scratch, got);
    return Status::OK();
  }

  Status Skip(uint64_t n) override {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) == static_cast<off_t>(-1)) {
      return Status::FromErrno("seek " + path_, errno);
    }
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
};

// Half of RLIMIT_NOFILE's soft limit: the descriptor numbers a table's
// second descriptor may take (PosixRandomAccessFile::ReadInSequence).
int HalfTheDescriptorLimit() {
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY ||
      limit.rlim_cur / 2 > static_cast<rlim_t>(INT_MAX)) {
    return INT_MAX;
  }
  return static_cast<int>(limit.rlim_cur / 2);
}

// A file read with pread. Opened for lookups (PosixEnv::NewRandomAccessFile,
// the table files the table cache reads when they are not mapped), its
// descriptor is advised POSIX_FADV_RANDOM, as RocksDB does by default: a
// point read then brings in the pages of its block and no more. With the
// kernel's default read-ahead, a 4 KiB-block lookup over 10M keys in a
// 512 MiB memory cgroup read 9.4–9.5 KB from storage, against 5.7–5.8 KB
// advised (docs/BENCHMARKS.md). Reads in sequence (an iterator's, a
// compaction's) keep the read-ahead: they go through a second descriptor,
// a new open file description of the same inode made through /proc/self/fd
// on the first such read (so it works for a file already unlinked), or
// through the first one if that cannot be opened or would take a number in
// the upper half of the process's descriptor limit.
class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  enum class Advice { kDefault, kLookups };

  PosixRandomAccessFile(std::string path, int fd, Advice advice = Advice::kDefault)
      : path_(std::move(path)), fd_(fd), advice_(advice) {
    if (advice_ == Advice::kLookups) ::posix_fadvise(fd_, 0, 0, POSIX_FADV_RANDOM);
  }
  ~PosixRandomAccessFile() override {
    if (sequence_fd_ >= 0 && sequence_fd_ != fd_) ::close(sequence_fd_);
    ::close(fd_);
  }

  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    return ReadFrom(fd_, offset, n, result, scratch);
  }

  Status ReadInSequence(uint64_t offset, size_t n, std::string_view* result,
                        char* scratch) const override {
    if (advice_ == Advice::kDefault) return Read(offset, n, result, scratch);
    std::call_once(sequence_once_, [this] {
      const std::string self = "/proc/self/fd/" + std::to_string(fd_);
      int fd = ::open(self.c_str(), O_RDONLY | O_CLOEXEC);
      // These second descriptors never take the upper half of the
      // process's descriptor space (the kernel hands out the lowest free
      // number, so the number says how full it is): opening a table, or
      // anything else, must not fail for want of one. Past that, scans of
      // this table share the lookups' descriptor, without read-ahead.
      if (fd >= 0 && fd >= HalfTheDescriptorLimit()) {
        ::close(fd);
        fd = -1;
      }
      sequence_fd_ = fd >= 0 ? fd : fd_;
    });
    return ReadFrom(sequence_fd_, offset, n, result, scratch);
  }

 private:
  Status ReadFrom(int fd, uint64_t offset, size_t n, std::string_view* result,
                  char* scratch) const {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd, scratch + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("pread " + path_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    *result = std::string_view(scratch, got);
    return Status::OK();
  }

  std::string path_;
  int fd_;
  const Advice advice_;
  mutable std::once_flag sequence_once_;
  mutable int sequence_fd_ = -1;  // set once, under sequence_once_
};

// A table file mapped whole, read-only, and open for pread as well. Lookups
// read blocks in place through mapped(); Read goes through pread, so that a
// pass over a whole table (compaction) has the kernel's read-ahead and leaves
// no pages mapped in the process. MADV_RANDOM turns off read-around on a page
// fault: a lookup touches one block, and reading the pages beside it would
// fill memory with blocks nobody asked for (what makes a mapped store thrash
// once its files outgrow memory).
class PosixMappedFile final : public RandomAccessFile {
 public:
  PosixMappedFile(std::string path, int fd, const char* base, size_t size)
      : reader_(std::move(path), fd), base_(base), size_(size) {}
  ~PosixMappedFile() override { ::munmap(const_cast<char*>(base_), size_); }

  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    return reader_.Read(offset, n, result, scratch);
  }
  std::string_view mapped() const override { return std::string_view(base_, size_); }

 private:
  PosixRandomAccessFile reader_;  // owns the descriptor
  const char* const base_;
  const size_t size_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {
    buffer_.reserve(kWriteBufferBytes);
  }
  ~PosixWritableFile() override {
    if (fd_ >= 0) Close();
  }

  Status Append(std::string_view data) override {
    size_ += data.size();
    if (buffer_.size() + data.size() <= kWriteBufferBytes) {
      buffer_.append(data.data(), data.size());
      return Status::OK();
    }
    STRATA_RETURN_IF_ERROR(Flush());
    if (data.size() <= kWriteBufferBytes) {
      buffer_.append(data.data(), data.size());
      return Status::OK();
    }
    return WriteAll(data);
  }

  Status Flush() override {
    if (buffer_.empty()) return Status::OK();
    Status s = WriteAll(buffer_);
    buffer_.clear();
    return s;
  }

  Status Sync() override {
    STRATA_RETURN_IF_ERROR(Flush());
    if (::fdatasync(fd_) != 0) return Status::FromErrno("fdatasync " + path_, errno);
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = Flush();
    if (::close(fd_) != 0 && s.ok()) s = Status::FromErrno("close " + path_, errno);
    fd_ = -1;
    return s;
  }

  uint64_t Size() const override { return size_; }

  Status Truncate(uint64_t size) override {
    buffer_.clear();
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return Status::FromErrno("ftruncate " + path_, errno);
    }
    // write(2) goes on from the descriptor's offset, which a partial write
    // left past the cut.
    if (::lseek(fd_, static_cast<off_t>(size), SEEK_SET) < 0) {
      return Status::FromErrno("lseek " + path_, errno);
    }
    size_ = size;
    return Status::OK();
  }

 private:
  Status WriteAll(std::string_view data) {
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t w = ::write(fd_, p, left);
      if (w < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("write " + path_, errno);
      }
      p += w;
      left -= static_cast<size_t>(w);
    }
    return Status::OK();
  }

  std::string path_;
  int fd_;
  std::string buffer_;
  uint64_t size_ = 0;
};

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixFileLock() override {
    if (fd_ >= 0) {
      ::flock(fd_, LOCK_UN);
      ::close(fd_);
    }
  }

 private:
  std::string path_;
  int fd_;
};

class PosixEnv final : public Env {
 public:
  Status NewSequentialFile(const std::string& path,
                           std::unique_ptr<SequentialFile>* out) override {
    out->reset();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return OpenError(path, errno);
    *out = std::make_unique<PosixSequentialFile>(path, fd);
    return Status::OK();
  }

  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* out) override {
    out->reset();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return OpenError(path, errno);
    *out = std::make_unique<PosixRandomAccessFile>(path, fd,
                                                   PosixRandomAccessFile::Advice::kLookups);
    return Status::OK();
  }

  Status NewMappedRandomAccessFile(const std::string& path,
                                   std::unique_ptr<RandomAccessFile>* out) override {
    out->reset();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return OpenError(path, errno);
    struct stat st;
    void* base = MAP_FAILED;
    // An empty file cannot be mapped; it is read (and rejected) as usual.
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      base = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    }
    if (base == MAP_FAILED) {
      // Out of address space or a filesystem that cannot map: pread serves.
      *out = std::make_unique<PosixRandomAccessFile>(path, fd);
      return Status::OK();
    }
    ::madvise(base, static_cast<size_t>(st.st_size), MADV_RANDOM);
    *out = std::make_unique<PosixMappedFile>(path, fd, static_cast<const char*>(base),
                                             static_cast<size_t>(st.st_size));
    return Status::OK();
  }

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) override {
    return OpenForWriting(path, O_TRUNC, out);
  }

  Status NewExclusiveWritableFile(const std::string& path,
                                  std::unique_ptr<WritableFile>* out) override {
    return OpenForWriting(path, O_EXCL, out);
  }

  Status NewExclusiveMappedWritableFile(const std::string& path,
                                        std::unique_ptr<WritableFile>* out) override {
    out->reset();
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return OpenError(path, errno);
    Status s = NewPosixMappedLogFile(path, fd, out);
    if (s.ok()) return s;
    if (s.IsNotSupported()) {
      *out = std::make_unique<PosixWritableFile>(path, fd);
      return Status::OK();
    }
    // Created by this call and still empty: nothing of anyone's is lost.
    ::close(fd);
    ::unlink(path.c_str());
    return s;
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return OpenError(dir, errno);
    while (struct dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      names->emplace_back(e->d_name);
    }
    ::closedir(d);
    return Status::OK();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Status::FromErrno("unlink " + path, errno);
    return Status::OK();
  }

  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::FromErrno("mkdir " + path, errno);
    }
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Status::FromErrno("stat " + path, errno);
    if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(path + " exists and is not a directory");
    return Status::OK();
  }

  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return Status::FromErrno("rmdir " + path, errno);
    return Status::OK();
  }

  Status LinkFile(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) {
      const int err = errno;
      if (err == EXDEV || err == EPERM || err == EOPNOTSUPP || err == EMLINK) {
        return Status::NotSupported("cannot hard-link " + from + " to " + to + ": " +
                                    std::strerror(err));
      }
      return Status::FromErrno("link " + from + " to " + to, err);
    }
    return Status::OK();
  }

  Status GetFileSize(const std::string& path, uint64_t* size) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Status::FromErrno("stat " + path, errno);
    *size = static_cast<uint64_t>(st.st_size);
    return Status::OK();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return Status::FromErrno("rename " + from + " to " + to, errno);
    }
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return OpenError(dir, errno);
    Status s;
    if (::fsync(fd) != 0) s = Status::FromErrno("fsync directory " + dir, errno);
    ::close(fd);
    return s;
  }

  Status OverwriteFileRange(const std::string& path, uint64_t offset,
                            std::string_view data) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return OpenError(path, errno);
    Status s;
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      s = Status::FromErrno("stat " + path, errno);
    } else if (offset > static_cast<uint64_t>(st.st_size) ||
               data.size() > static_cast<uint64_t>(st.st_size) - offset) {
      s = Status::InvalidArgument("overwrite past the end of " + path);
    }
    while (s.ok() && !data.empty()) {
      const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        s = Status::FromErrno("pwrite " + path, errno);
        break;
      }
      data.remove_prefix(static_cast<size_t>(n));
      offset += static_cast<uint64_t>(n);
    }
    if (s.ok() && ::fdatasync(fd) != 0) s = Status::FromErrno("fdatasync " + path, errno);
    if (::close(fd) != 0 && s.ok()) s = Status::FromErrno("close " + path, errno);
    return s;
  }

  Status TruncateFile(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return Status::FromErrno("truncate " + path, errno);
    }
    return Status::OK();
  }

  Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) override {
    return Lock(path, /*shared=*/false, lock);
  }

  Status LockFileShared(const std::string& path, std::unique_ptr<FileLock>* lock) override {
    return Lock(path, /*shared=*/true, lock);
  }

  Status UnlockFile(std::unique_ptr<FileLock> lock) override {
    lock.reset();
    return Status::OK();
  }

  uint64_t NowMicros() override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }

 private:
  // A shared lock opens the file read-only and never creates it, so that a
  // read-only open leaves the directory exactly as it found it.
  static Status Lock(const std::string& path, bool shared, std::unique_ptr<FileLock>* lock) {
    lock->reset();
    int fd = shared ? ::open(path.c_str(), O_RDONLY | O_CLOEXEC)
                    : ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return OpenError(path, errno);
    if (::flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return Status::Busy(std::string(shared ? "database is open for writing"
                                               : "database is in use by another handle or process") +
                            " (lock held on " + path + ")");
      }
      return Status::FromErrno("lock " + path, err);
    }
    *lock = std::make_unique<PosixFileLock>(path, fd);
    return Status::OK();
  }

  // Opens path for writing, created if absent; `mode` is O_TRUNC (an existing
  // file is emptied) or O_EXCL (an existing file is an error, left untouched).
  static Status OpenForWriting(const std::string& path, int mode,
                               std::unique_ptr<WritableFile>* out) {
    out->reset();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | mode | O_CLOEXEC, 0644);
    if (fd < 0) return OpenError(path, errno);
    *out = std::make_unique<PosixWritableFile>(path, fd);
    return Status::OK();
  }

  static Status OpenError(const std::string& path, int err) {
    if (err == ENOENT) return Status::NotFound(path + ": " + std::strerror(err));
    return Status::FromErrno("open " + path, err);
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();
  return env;
}

Status ReadFileToString(Env* env, const std::string& path, std::string* data) {
  data->clear();
  std::unique_ptr<SequentialFile> file;
  STRATA_RETURN_IF_ERROR(env->NewSequentialFile(path, &file));
  constexpr size_t kChunk = 64 * 1024;
  std::string scratch(kChunk, '\0');
  while (true) {
    std::string_view piece;
    STRATA_RETURN_IF_ERROR(file->Read(kChunk, &piece, scratch.data()));
    if (piece.empty()) break;
    data->append(piece.data(), piece.size());
  }
  return Status::OK();
}

Status CopyFile(Env* env, const std::string& from, const std::string& to) {
  std::unique_ptr<SequentialFile> in;
  STRATA_RETURN_IF_ERROR(env->NewSequentialFile(from, &in));
  std::unique_ptr<WritableFile> out;
  STRATA_RETURN_IF_ERROR(env->NewWritableFile(to, &out));
  constexpr size_t kChunk = 1 << 20;
  std::string scratch(kChunk, '\0');
  while (true) {
    std::string_view piece;
    STRATA_RETURN_IF_ERROR(in->Read(kChunk, &piece, scratch.data()));
    if (piece.empty()) break;
    STRATA_RETURN_IF_ERROR(out->Append(piece));
  }
  STRATA_RETURN_IF_ERROR(out->Sync());
  return out->Close();
}

Status WriteFileAtomically(Env* env, const std::string& dir, const std::string& name,
                           std::string_view data) {
  const std::string tmp = dir + "/" + name + ".tmp";
  const std::string final_path = dir + "/" + name;
  std::unique_ptr<WritableFile> file;
  STRATA_RETURN_IF_ERROR(env->NewWritableFile(tmp, &file));
  Status s = file->Append(data);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  if (s.ok()) s = env->RenameFile(tmp, final_path);
  if (s.ok()) s = env->SyncDir(dir);
  if (!s.ok()) env->RemoveFile(tmp);
  return s;
}

}  // namespace strata
