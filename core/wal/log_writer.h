// LogWriter appends checksummed records (log_format.h) to a file.
//
// Unbuffered (the default), AddRecord hands each record to the file and the
// caller's Flush or Sync sends it to the OS or the disk. Buffered
// (buffer_bytes > 0: the database's wal_buffer_bytes), records gather in
// this writer's own buffer and reach the file in one write when the buffer
// fills, or at Flush, Sync or Close; until then a crash of the process loses
// them. A failed write keeps the buffer, so a later Flush (after Truncate
// cut what the failure left in the file) writes it again and nothing
// buffered is lost.
//
// Thread safety: not thread-safe; the database's write leader owns it.
// Ownership: owns the file.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/env.h"

namespace strata::log {

class Writer {
 public:
  explicit Writer(std::unique_ptr<WritableFile> file, size_t buffer_bytes = 0)
      : file_(std::move(file)), buffer_bytes_(buffer_bytes) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Adds one record. Unbuffered, it is in the file's buffer; call Flush or
  // Sync. Buffered, it is written once the buffer holds buffer_bytes.
  Status AddRecord(std::string_view payload);
  // Sends every record added so far to the OS.
  Status Flush();
  Status Sync();
  Status Close();
  // Bytes of whole records added so far, written or still buffered.
  uint64_t Size() const { return written_ + pending_.size(); }
  // Bytes added but still in this writer's buffer (always 0 unbuffered).
  size_t BufferedBytes() const { return pending_.size(); }
  // Cuts the log back to `size` bytes (the end of the last whole record),
  // dropping a record that failed half-way, whether it is in the file
  // (see WritableFile::Truncate) or still in the buffer.
  Status Truncate(uint64_t size);

 private:
  std::unique_ptr<WritableFile> file_;
  const size_t buffer_bytes_;
  // Records not yet handed to the file (buffered mode only), and the bytes
  // handed to it before them.
  std::string pending_;
  uint64_t written_ = 0;
};

}  // namespace strata::log
