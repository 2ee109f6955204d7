#include "core/wal/log_reader.h"

#include <algorithm>

#include "core/checksum.h"
#include "core/coding.h"
#include "core/wal/log_format.h"

namespace strata::log {

namespace {

// Whether the kHeaderBytes at `header` are an intact header: its checksum
// holds and its length is one a writer could have written.
bool HeaderIntact(const char* header, uint32_t* length) {
  *length = DecodeFixed32(header + 4);
  return DecodeFixed32(header) == Checksum32(header + 4, 8) && *length <= kMaxPayloadBytes;
}

// Whether an intact header whose payload fits in `data` starts at `pos`.
bool HeaderAt(std::string_view data, size_t pos, uint32_t* length) {
  return data.size() - pos >= kHeaderBytes && HeaderIntact(data.data() + pos, length) &&
         *length <= data.size() - pos - kHeaderBytes;
}

// Whether a whole intact record (header and payload) starts at `pos`.
bool RecordAt(std::string_view data, size_t pos, uint32_t* length) {
  return HeaderAt(data, pos, length) &&
         DecodeFixed32(data.data() + pos + 8) ==
             Checksum32(data.data() + pos + kHeaderBytes, *length);
}

}  // namespace

bool Reader::Fail(const std::string& what, std::string_view consumed, std::string* record) {
  const std::string message = name_ + ": " + what + " at offset " + std::to_string(offset_);
  if (mode_ == Mode::kStrict) {
    status_ = Status::Corruption(message);
    done_ = true;
    return false;
  }
  rest_.assign(consumed);
  std::string scratch(64 * 1024, '\0');
  while (true) {
    std::string_view piece;
    Status s = file_->Read(scratch.size(), &piece, scratch.data());
    if (!s.ok()) {
      status_ = s;
      done_ = true;
      return false;
    }
    if (piece.empty()) break;
    rest_.append(piece);
  }
  if (rest_.find_first_not_of('\0', consumed.size()) == std::string::npos) {
    // The bad record and zeros to the end: a torn tail, as in kStrict.
    rest_.clear();
    torn_tail_ = true;
    done_ = true;
    return false;
  }
  damage_ = message;
  salvaging_ = true;
  salvage_base_ = offset_;
  pos_ = 0;
  return ReadSalvaged(record);
}

bool Reader::ReadSalvaged(std::string* record) {
  const std::string_view all(rest_);
  while (pos_ < all.size()) {
    uint32_t length = 0;
    if (RecordAt(all, pos_, &length)) {
      record->assign(all.substr(pos_ + kHeaderBytes, length));
      pos_ += kHeaderBytes + length;
      offset_ = salvage_base_ + pos_;
      return true;
    }
    if (HeaderAt(all, pos_, &length)) {
      ++records_dropped_;
      bytes_dropped_ += kHeaderBytes + length;
      pos_ += kHeaderBytes + length;
      continue;
    }
    const size_t damaged_from = pos_;
    for (++pos_; pos_ < all.size() && !RecordAt(all, pos_, &length);) ++pos_;
    const std::string_view skipped = all.substr(damaged_from, pos_ - damaged_from);
    // Zeros to the end of the file are preallocated space, not lost data.
    const bool zero_tail =
        pos_ == all.size() && skipped.find_first_not_of('\0') == std::string_view::npos;
    if (!zero_tail) {
      bytes_dropped_ += skipped.size();
      ++damaged_stretches_;
    }
  }
  done_ = true;
  rest_.clear();
  return false;
}

bool Reader::AllZeroToEnd() {
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
  if (salvaging_) return !done_ && ReadSalvaged(record);
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
  uint32_t length = 0;
  const uint32_t payload_checksum = DecodeFixed32(header.data() + 8);
  if (!HeaderIntact(header.data(), &length)) {
    // Reserved space after a crash looks like this, and so does a header a
    // crash cut short in a log written through a mapping (its bytes, then
    // the reserved zeros). (Salvage tells them apart after reading the
    // rest: see Fail.)
    if (mode_ == Mode::kStrict && AllZeroToEnd()) {
      torn_tail_ = true;
      done_ = true;
      return false;
    }
    if (!status_.ok()) return false;
    return Fail("bad record header checksum", header, record);
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
    if (record_end == file_size_ || (mode_ == Mode::kStrict && AllZeroToEnd())) {
      // The last record, at the end of the file or followed by nothing but
      // reserved zeros: its bytes were not all written before the crash.
      torn_tail_ = true;
      done_ = true;
      return false;
    }
    std::string consumed(header);
    consumed.append(*record);
    return Fail("bad record checksum", consumed, record);
  }
  offset_ = record_end;
  return true;
}

}  // namespace strata::log
