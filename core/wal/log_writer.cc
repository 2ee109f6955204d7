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
  STRATA_RETURN_IF_ERROR(file_->Append(std::string_view(header, kHeaderBytes)));
  return file_->Append(payload);
}

}  // namespace strata::log
