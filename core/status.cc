#include "core/status.h"

#include <cerrno>
#include <cstring>

namespace strata {

namespace {
const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "OK";
    case Status::Code::kNotFound: return "not found";
    case Status::Code::kCorruption: return "corruption";
    case Status::Code::kNotSupported: return "not supported";
    case Status::Code::kInvalidArgument: return "invalid argument";
    case Status::Code::kIOError: return "I/O error";
    case Status::Code::kBusy: return "busy";
    case Status::Code::kNoMemory: return "out of memory";
    case Status::Code::kConflict: return "conflict";
  }
  return "unknown";
}
}  // namespace

Status Status::FromErrno(std::string_view context, int err) {
  std::string msg(context);
  msg += ": ";
  msg += std::strerror(err);
  return IOError(msg, err);
}

Status Status::IOError(std::string_view msg, int error_number) {
  Status s(Code::kIOError, msg);
  s.state_->error_number = error_number;
  return s;
}

bool Status::IsNoSpace() const {
  return IsIOError() && (error_number() == ENOSPC || error_number() == EDQUOT);
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = CodeName(code_);
  if (state_ != nullptr) {
    out += ": ";
    out += state_->message;
  }
  return out;
}

}  // namespace strata
