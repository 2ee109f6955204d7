#include "core/wal/log_reader.h"

#include <algorithm>

#include "core/checksum.h"
#include "core/coding.h"
#include "core/wal/log_format.h"

namespace strata::log {

bool Reader::Fail(const std::string& what) {
  status_ = Status::Corruption(name_ + ": " + what + " at offset " + std::to_string(offset_));
  done_ = true;
  return false;
}

bool Reader::AllZeroToEnd(std::string_view already_read) {
  if (std::any_of(already_read.begin(), already_read.end(), [](char c) { return c != 0; })) {
    return false;
  }
  std::string scratch(64 * 1024, '\0');
  while (true) {
    std::string_view piece;
    Status s = file_->Read(scratch.size(), &piece, scratch.data());
    if (!s.ok()) {
      status_ = s;
      return false;
    }
    if (piece.empty()) return true;
    if (std::any_of(piece.begin(), piece.end(), [](char c) { return c != 0; })) return false;
  }
}

bool Reader::ReadRecord(std::string* record) {
  if (done_) return false;
  char header_buf[kHeaderBytes];
  std::string_view header;
  Status s = file_->Read(kHeaderBytes, &header, header_buf);
  if (!s.ok()) {
    status_ = s;
    done_ = true;
    return false;
  }
  if (header.empty()) {
    done_ = true;
    return false;
  }
  if (header.size() < kHeaderBytes) {
    torn_tail_ = true;
    done_ = true;
    return false;
  }
  const uint32_t length = DecodeFixed32(header.data() + 4);
  const uint32_t payload_checksum = DecodeFixed32(header.data() + 8);
  if (DecodeFixed32(header.data()) != Checksum32(header.data() + 4, 8) ||
      length > kMaxPayloadBytes) {
    // Preallocated or zero-filled space after a crash looks like this.
    if (AllZeroToEnd(header)) {
      torn_tail_ = true;
      done_ = true;
      return false;
    }
    if (!status_.ok()) return false;
    return Fail("bad record header checksum");
  }
  const uint64_t record_end = offset_ + kHeaderBytes + length;
  if (record_end > file_size_) {
    torn_tail_ = true;
    done_ = true;
    return false;
  }
  record->resize(length);
  std::string_view payload;
  s = file_->Read(length, &payload, record->data());
  if (!s.ok()) {
    status_ = s;
    done_ = true;
    return false;
  }
  if (payload.size() < length) {
    torn_tail_ = true;
    done_ = true;
    return false;
  }
  if (payload.data() != record->data()) record->assign(payload.data(), payload.size());
  if (Checksum32(*record) != payload_checksum) {
    if (record_end == file_size_) {
      // The last record: its bytes were not all written before the crash.
      torn_tail_ = true;
      done_ = true;
      return false;
    }
    return Fail("bad record checksum");
  }
  offset_ = record_end;
  return true;
}

}  // namespace strata::log
