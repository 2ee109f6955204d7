#include "core/wal/log_writer.h"

#include "core/checksum.h"
#include "core/coding.h"
#include "core/wal/log_format.h"

namespace strata::log {

Status Writer::AddRecord(std::string_view payload) {
  if (payload.size() > kMaxPayloadBytes) {
    return Status::InvalidArgument("log record of " + std::to_string(payload.size()) +
                                   " bytes exceeds the limit");
  }
  char header[kHeaderBytes];
  EncodeFixed32(header + 4, static_cast<uint32_t>(payload.size()));
  EncodeFixed32(header + 8, Checksum32(payload));
  EncodeFixed32(header, Checksum32(header + 4, 8));
  if (buffer_bytes_ == 0) {
    STRATA_RETURN_IF_ERROR(file_->Append(std::string_view(header, kHeaderBytes)));
    Status s = file_->Append(payload);
    written_ = file_->Size();
    return s;
  }
  pending_.append(header, kHeaderBytes);
  pending_.append(payload);
  if (pending_.size() < buffer_bytes_) return Status::OK();
  return Flush();
}

Status Writer::Flush() {
  if (!pending_.empty()) {
    // Kept until the file took all of it: after a failure, Truncate cuts
    // the file back to written_ and the next Flush writes it again.
    STRATA_RETURN_IF_ERROR(file_->Append(pending_));
    STRATA_RETURN_IF_ERROR(file_->Flush());
    written_ += pending_.size();
    pending_.clear();
    return Status::OK();
  }
  return file_->Flush();
}

Status Writer::Sync() {
  STRATA_RETURN_IF_ERROR(Flush());
  return file_->Sync();
}

Status Writer::Close() {
  Status s = Flush();
  Status closed = file_->Close();
  return s.ok() ? closed : s;
}

Status Writer::Truncate(uint64_t size) {
  if (size >= written_) {
    // The cut is in the buffer; what the file holds past written_ is a
    // failed write's leftover.
    pending_.resize(size - written_);
    return file_->Truncate(written_);
  }
  pending_.clear();
  STRATA_RETURN_IF_ERROR(file_->Truncate(size));
  written_ = size;
  return Status::OK();
}

}  // namespace strata::log
