#include "core/posix_mapped_log_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace strata {

namespace {

// Reserved and mapped at a time. Large enough that reserving and remapping
// (three system calls) is rare next to the records copied in between, small
// enough that the zeros a crash leaves and the resident pages stay small.
constexpr uint64_t kWindowBytes = 1 << 20;

// fallocate(2) with mode 0: allocates the range and extends the file over it.
int Reserve(int fd, uint64_t offset, uint64_t length) {
  while (::fallocate(fd, 0, static_cast<off_t>(offset), static_cast<off_t>(length)) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

// Copies n bytes in address order, 8 at a time, each store a single
// instruction kept in its place by a compiler barrier. A process killed in
// the middle (at any instruction) thus leaves exactly a prefix of the bytes
// in the page cache, followed by the window's zeros, which a log reader
// takes for a torn tail. memcpy gives no such order: glibc's stores the
// ends of a block before its middle, and a kill between them would leave
// zeros inside the log followed by data, which a reader must call damage.
void CopyInOrder(char* dst, const char* src, size_t n) {
  for (; n >= 8; n -= 8, dst += 8, src += 8) {
    uint64_t word;
    std::memcpy(&word, src, 8);
    std::memcpy(dst, &word, 8);
    std::atomic_signal_fence(std::memory_order_seq_cst);
  }
  for (; n > 0; --n) {
    *dst++ = *src++;
    std::atomic_signal_fence(std::memory_order_seq_cst);
  }
}

class PosixMappedLogFile final : public WritableFile {
 public:
  PosixMappedLogFile(std::string path, int fd, uint64_t reserved)
      : path_(std::move(path)), fd_(fd), reserved_(reserved) {}
  ~PosixMappedLogFile() override {
    if (fd_ >= 0) Close();
  }

  Status Append(std::string_view data) override {
    while (!data.empty()) {
      if (window_ == nullptr || size_ < window_start_ || size_ >= window_start_ + kWindowBytes) {
        STRATA_RETURN_IF_ERROR(MapWindowAt(size_ - size_ % kWindowBytes));
      }
      const size_t n =
          static_cast<size_t>(std::min<uint64_t>(data.size(), window_start_ + kWindowBytes - size_));
      CopyInOrder(window_ + (size_ - window_start_), data.data(), n);
      size_ += n;
      data.remove_prefix(n);
    }
    return Status::OK();
  }

  // The copy in Append already put the bytes in the page cache.
  Status Flush() override { return Status::OK(); }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return Status::FromErrno("fdatasync " + path_, errno);
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = Unmap();
    // The reserved space past the contents goes: a closed log is exactly its
    // records, as one written with write(2) is.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0 && s.ok()) {
      s = Status::FromErrno("ftruncate " + path_, errno);
    }
    if (::close(fd_) != 0 && s.ok()) s = Status::FromErrno("close " + path_, errno);
    fd_ = -1;
    return s;
  }

  uint64_t Size() const override { return size_; }

  Status MapFirstWindow() { return MapWindowAt(0); }
  // Gives the descriptor back to the creator (nothing was appended).
  void Release() {
    Unmap();
    fd_ = -1;
  }

  Status Truncate(uint64_t size) override {
    if (size > size_) {
      return Status::InvalidArgument("cannot truncate " + path_ + " past its end");
    }
    // The bytes past the cut become zeros again, as reserved space reads, so
    // a reader after a crash finds the cut's end and zeros, not a fragment.
    static const char kZeros[64 * 1024] = {};
    uint64_t offset = size;
    while (offset < size_) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof(kZeros), size_ - offset));
      const ssize_t w = ::pwrite(fd_, kZeros, n, static_cast<off_t>(offset));
      if (w < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("pwrite " + path_, errno);
      }
      offset += static_cast<uint64_t>(w);
    }
    size_ = size;
    return Status::OK();
  }

 private:
  Status MapWindowAt(uint64_t start) {
    STRATA_RETURN_IF_ERROR(Unmap());
    if (start + kWindowBytes > reserved_) {
      // Reserved before it is mapped: a store into the window can then never
      // need a block the disk does not have (which would be a SIGBUS).
      if (const int err = Reserve(fd_, start, kWindowBytes); err != 0) {
        return Status::FromErrno("fallocate " + path_, err);
      }
      reserved_ = start + kWindowBytes;
    }
    void* base = ::mmap(nullptr, kWindowBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                        static_cast<off_t>(start));
    if (base == MAP_FAILED) return Status::FromErrno("mmap " + path_, errno);
    window_ = static_cast<char*>(base);
    window_start_ = start;
    return Status::OK();
  }

  Status Unmap() {
    if (window_ == nullptr) return Status::OK();
    const int rc = ::munmap(window_, kWindowBytes);
    window_ = nullptr;
    if (rc != 0) return Status::FromErrno("munmap " + path_, errno);
    return Status::OK();
  }

  const std::string path_;
  int fd_;
  // The mapped window, or nullptr; it covers the file's bytes
  // [window_start_, window_start_ + kWindowBytes).
  char* window_ = nullptr;
  uint64_t window_start_ = 0;
  // Bytes appended (the log's contents) and bytes reserved with fallocate.
  uint64_t size_ = 0;
  uint64_t reserved_;
};

}  // namespace

Status NewPosixMappedLogFile(const std::string& path, int fd, std::unique_ptr<WritableFile>* out) {
  out->reset();
  // The first window is reserved and mapped now, so that a filesystem that
  // can do neither is found before any record is written; a full disk is an
  // error here as it would be at the first append.
  if (const int err = Reserve(fd, 0, kWindowBytes); err != 0) {
    if (err == EOPNOTSUPP || err == ENOSYS) {
      return Status::NotSupported("fallocate " + path + ": " + std::strerror(err));
    }
    return Status::FromErrno("fallocate " + path, err);
  }
  auto file = std::make_unique<PosixMappedLogFile>(path, fd, kWindowBytes);
  if (Status s = file->MapFirstWindow(); !s.ok()) {
    file->Release();
    if (::ftruncate(fd, 0) != 0) return Status::FromErrno("ftruncate " + path, errno);
    return Status::NotSupported(s.ToString());
  }
  *out = std::move(file);
  return Status::OK();
}

}  // namespace strata
