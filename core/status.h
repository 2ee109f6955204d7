// Status: the result of an engine operation.
//
// An OK status costs one pointer-sized null; a failure carries a code from a
// small closed set and a message. Each code maps onto one of the C ABI's KV_*
// status codes (FromStatus in capi/src/capi_util.cc), so the set only grows:
// a new code needs its KV_* code in kv.h first.
//
// Thread safety: a Status is a value; distinct objects may be used from
// different threads without synchronisation.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace strata {

class Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound,
    kCorruption,
    kNotSupported,
    kInvalidArgument,
    kIOError,
    kBusy,
    kNoMemory,
    // An optimistic transaction's commit found that a key it read or wrote
    // was written by someone else after it began (KV_CONFLICT).
    kConflict,
  };

  Status() noexcept = default;
  Status(const Status& other) { CopyFrom(other); }
  Status& operator=(const Status& other) {
    if (this != &other) CopyFrom(other);
    return *this;
  }
  Status(Status&& other) noexcept : code_(other.code_), state_(std::move(other.state_)) {
    other.code_ = Code::kOk;
  }
  Status& operator=(Status&& other) noexcept {
    code_ = other.code_;
    state_ = std::move(other.state_);
    other.code_ = Code::kOk;
    return *this;
  }

  static Status OK() { return Status(); }
  // Without a message, a status costs no allocation: the hot "absent key"
  // result of a read uses this form.
  static Status NotFound() { return Status(Code::kNotFound); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  // An I/O error that keeps the errno of the failure it reports on.
  static Status IOError(std::string_view msg, int error_number);
  // An I/O error built from a failed system call: "<context>: <strerror(err)>".
  static Status FromErrno(std::string_view context, int err);
  static Status Busy(std::string_view msg) { return Status(Code::kBusy, msg); }
  static Status NoMemory(std::string_view msg) { return Status(Code::kNoMemory, msg); }
  static Status Conflict(std::string_view msg) { return Status(Code::kConflict, msg); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsNotSupported() const { return code() == Code::kNotSupported; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsIOError() const { return code() == Code::kIOError; }
  bool IsBusy() const { return code() == Code::kBusy; }
  bool IsNoMemory() const { return code() == Code::kNoMemory; }
  bool IsConflict() const { return code() == Code::kConflict; }
  // An I/O error because the filesystem is full (ENOSPC) or the quota is
  // used up (EDQUOT): the one failure that goes away by itself, when space
  // is freed, so the database can resume writing without a reopen.
  bool IsNoSpace() const;
  // The errno behind an I/O error made by FromErrno; 0 otherwise.
  int error_number() const { return state_ ? state_->error_number : 0; }

  Code code() const { return code_; }
  // The message alone, without the code's name; empty for OK.
  const std::string& message() const;
  // "<code name>: <message>", or "OK".
  std::string ToString() const;

 private:
  struct State {
    std::string message;
    int error_number = 0;  // the errno of a failed system call (FromErrno), else 0
  };

  explicit Status(Code code) : code_(code) {}
  Status(Code code, std::string_view msg)
      : code_(code), state_(std::make_unique<State>(State{std::string(msg)})) {}
  void CopyFrom(const Status& other) {
    code_ = other.code_;
    state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  }

  // OK is kOk with no state; an error has its code here and its message, if
  // it has one, in state_.
  Code code_ = Code::kOk;
  std::unique_ptr<State> state_;
};

// Returns early from the enclosing function when `expr` yields a failed Status.
#define STRATA_RETURN_IF_ERROR(expr)        \
  do {                                      \
    ::strata::Status _st = (expr);          \
    if (!_st.ok()) return _st;              \
  } while (0)

}  // namespace strata
