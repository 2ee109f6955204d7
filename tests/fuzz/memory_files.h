// In-memory implementations of the Env file interfaces (core/env.h), so that
// fuzz targets can hand arbitrary bytes to the engine's readers exactly as a
// file on disk would reach them, without touching the filesystem.
//
// Thread safety: as core/env.h requires — StringRandomAccessFile::Read may be
// called from many threads; the others belong to one thread at a time.
// Lifetime: the readers borrow their bytes, which must outlive them.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "core/env.h"

namespace strata::fuzz {

// Reads a byte string front to back (what log::Reader consumes).
class StringSequentialFile final : public SequentialFile {
 public:
  explicit StringSequentialFile(std::string_view bytes) : bytes_(bytes) {}

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    n = std::min(n, bytes_.size() - pos_);
    // Copy into scratch like PosixEnv does, so a reader that keeps pointers
    // into scratch past its contract is caught by the sanitizers.
    if (n > 0) std::memcpy(scratch, bytes_.data() + pos_, n);
    *result = std::string_view(scratch, n);
    pos_ += n;
    return Status::OK();
  }

  Status Skip(uint64_t n) override {
    pos_ += static_cast<size_t>(std::min<uint64_t>(n, bytes_.size() - pos_));
    return Status::OK();
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

// Reads a byte string at arbitrary offsets (what TableReader consumes).
class StringRandomAccessFile final : public RandomAccessFile {
 public:
  explicit StringRandomAccessFile(std::string_view bytes) : bytes_(bytes) {}

  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    if (offset > bytes_.size()) {
      *result = {};
      return Status::OK();
    }
    n = static_cast<size_t>(std::min<uint64_t>(n, bytes_.size() - offset));
    if (n > 0) std::memcpy(scratch, bytes_.data() + offset, n);
    *result = std::string_view(scratch, n);
    return Status::OK();
  }

 private:
  std::string_view bytes_;
};

// Appends into a caller's string (what log::Writer writes to), for round trips.
class StringWritableFile final : public WritableFile {
 public:
  explicit StringWritableFile(std::string* out) : out_(out) {}

  Status Append(std::string_view data) override {
    out_->append(data);
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override { return out_->size(); }

 private:
  std::string* out_;  // not owned
};

}  // namespace strata::fuzz
