// LogReader reads the records of a log (log_format.h) front to back.
//
// How damage is classified (docs/FORMATS.md):
//  - A record cut short by the end of the file, or a last record whose payload
//    checksum fails, or a run of zero bytes to the end of the file, is a torn
//    tail: the writer died mid-append. Reading stops cleanly before it and
//    torn_tail() reports where.
//  - Any other checksum failure (a record followed by more data) is
//    corruption: ReadRecord returns false and status() is Corruption.
//
// Thread safety: one thread at a time. Ownership: owns the file.
#pragma once

#include <memory>
#include <string>

#include "core/env.h"

namespace strata::log {

class Reader {
 public:
  // `name` is used in error messages; `file_size` bounds reads.
  Reader(std::unique_ptr<SequentialFile> file, std::string name, uint64_t file_size)
      : file_(std::move(file)), name_(std::move(name)), file_size_(file_size) {}
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Reads the next record into *record. Returns false at the end of the log,
  // at a torn tail, or on an error (see status()).
  bool ReadRecord(std::string* record);

  const Status& status() const { return status_; }
  // True when reading stopped at a torn tail rather than a clean end.
  bool torn_tail() const { return torn_tail_; }
  // The offset just past the last good record.
  uint64_t end_of_good_records() const { return offset_; }

 private:
  bool AllZeroToEnd(std::string_view already_read);
  bool Fail(const std::string& what);

  std::unique_ptr<SequentialFile> file_;
  std::string name_;
  uint64_t file_size_;
  uint64_t offset_ = 0;
  bool torn_tail_ = false;
  bool done_ = false;
  Status status_;
};

}  // namespace strata::log
