// LogWriter appends checksummed records (log_format.h) to a file.
//
// Thread safety: not thread-safe; the database's write leader owns it.
// Ownership: owns the file.
#pragma once

#include <memory>
#include <string_view>

#include "core/env.h"

namespace strata::log {

class Writer {
 public:
  explicit Writer(std::unique_ptr<WritableFile> file) : file_(std::move(file)) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Buffers one record. Flush or Sync to make it reach the OS or the disk.
  Status AddRecord(std::string_view payload);
  Status Flush() { return file_->Flush(); }
  Status Sync() { return file_->Sync(); }
  Status Close() { return file_->Close(); }
  uint64_t Size() const { return file_->Size(); }
  // Cuts the log back to `size` bytes (the end of the last whole record),
  // dropping a record that failed half-way; see WritableFile::Truncate.
  Status Truncate(uint64_t size) { return file_->Truncate(size); }

 private:
  std::unique_ptr<WritableFile> file_;
};

}  // namespace strata::log
