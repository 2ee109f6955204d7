// LogReader reads the records of a log (log_format.h) front to back.
//
// How damage is classified (docs/FORMATS.md):
//  - A record cut short by the end of the file, a last record whose payload
//    checksum fails, a run of zero bytes to the end of the file, or a record
//    whose header or payload checksum fails followed by nothing but zeros
//    (a log with reserved space, written through a mapping, that a crash
//    cut in the middle of a record) is a torn tail: the writer died
//    mid-append. Reading stops cleanly before it and torn_tail() reports
//    where.
//  - Any other checksum failure (a record followed by more data) is
//    corruption. In Mode::kStrict (recovery, the tool) ReadRecord returns
//    false and status() is Corruption. In Mode::kSalvage (repair) the reader
//    carries on past it: a record whose header is intact but whose payload is
//    not is skipped whole (one record dropped); elsewhere it searches byte by
//    byte for the next intact record (a false match needs two 32-bit
//    checksums to agree by chance). What it skipped is counted, the first
//    damage is kept in damage(), and status() reports I/O errors only.
//
// Thread safety: one thread at a time. Ownership: owns the file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/env.h"

namespace strata::log {

class Reader {
 public:
  enum class Mode { kStrict, kSalvage };

  // `name` is used in error messages; `file_size` bounds reads.
  Reader(std::unique_ptr<SequentialFile> file, std::string name, uint64_t file_size,
         Mode mode = Mode::kStrict)
      : file_(std::move(file)), name_(std::move(name)), file_size_(file_size), mode_(mode) {}
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

  // Mode::kSalvage only (all zero otherwise). The first damage found, as a
  // message naming the log and offset; empty if none.
  const std::string& damage() const { return damage_; }
  // Records skipped whose header was intact but whose payload was not.
  uint64_t records_dropped() const { return records_dropped_; }
  // Bytes skipped: dropped records and stretches where no record could be
  // recognised (zeros to the end of the file are not counted).
  uint64_t bytes_dropped() const { return bytes_dropped_; }
  // Stretches of unrecognisable bytes: each lost at least part of one
  // record, how many is unknown.
  uint64_t damaged_stretches() const { return damaged_stretches_; }

 private:
  // Whether the rest of the file, from the read position on, is zeros.
  bool AllZeroToEnd();
  // Corruption at offset_: fails (kStrict), or starts salvaging from the
  // bytes of the bad record already read, `consumed` (kSalvage).
  bool Fail(const std::string& what, std::string_view consumed, std::string* record);
  bool ReadSalvaged(std::string* record);

  std::unique_ptr<SequentialFile> file_;
  std::string name_;
  uint64_t file_size_;
  const Mode mode_;
  uint64_t offset_ = 0;
  bool torn_tail_ = false;
  bool done_ = false;
  Status status_;

  // Salvaging: the rest of the log from salvage_base_ on, in memory.
  bool salvaging_ = false;
  std::string rest_;
  size_t pos_ = 0;
  uint64_t salvage_base_ = 0;
  std::string damage_;
  uint64_t records_dropped_ = 0;
  uint64_t bytes_dropped_ = 0;
  uint64_t damaged_stretches_ = 0;
};

}  // namespace strata::log
