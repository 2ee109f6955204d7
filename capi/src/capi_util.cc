#include "capi/src/capi_util.h"

#include <cstdlib>
#include <cstring>

namespace strata::capi {

// Set whenever the message may be non-empty, so that the common case of an
// entry point with nothing to clear touches only this flag, a plain
// thread-local with no constructor (cheap to reach from a shared library),
// not the string.
thread_local bool t_message_set = false;

std::string& LastError() {
  thread_local std::string message;
  t_message_set = true;
  return message;
}

void ClearLastError() {
  if (t_message_set) {
    LastError().clear();
    t_message_set = false;
  }
}

int Fail(int code, std::string message) {
  LastError() = std::move(message);
  return code;
}

int FromStatus(const Status& s) {
  using Code = Status::Code;
  if (s.ok()) return KV_OK;
  // "Not found" is an ordinary result, not a failure: no message to keep.
  if (s.code() == Code::kNotFound && s.message().empty()) return KV_NOT_FOUND;
  LastError() = s.message();
  switch (s.code()) {
    case Code::kOk: return KV_OK;
    case Code::kNotFound: return KV_NOT_FOUND;
    case Code::kCorruption: return KV_CORRUPTION;
    case Code::kNotSupported: return KV_NOT_SUPPORTED;
    case Code::kInvalidArgument: return KV_INVALID_ARGUMENT;
    case Code::kIOError: return KV_IO_ERROR;
    case Code::kBusy: return KV_BUSY;
    case Code::kNoMemory: return KV_NO_MEMORY;
    case Code::kConflict: return KV_CONFLICT;
  }
  return KV_INTERNAL;
}

int CheckKey(const char* where, const void* key, size_t key_len) {
  if (key == nullptr && key_len != 0) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": key is NULL but key_len is not 0");
  }
  if (key_len > KV_MAX_KEY_LEN) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": key of " + std::to_string(key_len) +
                                         " bytes exceeds KV_MAX_KEY_LEN (" +
                                         std::to_string(KV_MAX_KEY_LEN) + ")");
  }
  return KV_OK;
}

int CheckValue(const char* where, const void* val, size_t val_len) {
  if (val == nullptr && val_len != 0) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": value is NULL but val_len is not 0");
  }
  if (val_len > KV_MAX_VALUE_LEN) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": value of " +
                                         std::to_string(val_len) +
                                         " bytes exceeds KV_MAX_VALUE_LEN (" +
                                         std::to_string(KV_MAX_VALUE_LEN) + ")");
  }
  return KV_OK;
}

int CheckDb(const char* where, const kv_db* db) {
  if (db == nullptr) return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": db is NULL");
  if (db->magic != kDbMagic) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": not a kv_db handle");
  }
  return KV_OK;
}

int CheckBatch(const char* where, const kv_batch* b) {
  if (b == nullptr || b->magic != kBatchMagic) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": batch is NULL or not a kv_batch");
  }
  return KV_OK;
}

int CheckIter(const char* where, const kv_iter* it) {
  if (it == nullptr || it->magic != kIterMagic) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": iterator is NULL or not a kv_iter");
  }
  return KV_OK;
}

int CheckSnapshot(const char* where, const kv_db* db, const kv_snapshot* snap) {
  if (snap == nullptr) return KV_OK;
  if (snap->magic != kSnapshotMagic) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": not a kv_snapshot handle");
  }
  if (snap->owner != db) {
    return Fail(KV_INVALID_ARGUMENT,
                std::string(where) + ": the snapshot belongs to another database handle");
  }
  return KV_OK;
}

int CheckWriteFlags(const char* where, unsigned flags) {
  if ((flags & ~KV_WRITE_SYNC) != 0) {
    return Fail(KV_INVALID_ARGUMENT,
                std::string(where) + ": unknown write flags 0x" + [&] {
                  char hex[16];
                  std::snprintf(hex, sizeof(hex), "%x", flags & ~KV_WRITE_SYNC);
                  return std::string(hex);
                }());
  }
  return KV_OK;
}

int ClosedError(const char* where) {
  return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": the database handle is closed");
}

int OptionalBound(const char* where, const char* which, const void* p, size_t n,
                  std::optional<std::string>* out) {
  if (p == nullptr) {
    if (n != 0) {
      return Fail(KV_INVALID_ARGUMENT,
                  std::string(where) + ": " + which + " is NULL but its length is not 0");
    }
    out->reset();
    return KV_OK;
  }
  if (n > KV_MAX_KEY_LEN) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": " + which + " exceeds KV_MAX_KEY_LEN");
  }
  out->emplace(static_cast<const char*>(p), n);
  return KV_OK;
}

void* CopyOut(std::string_view s) {
  void* p = std::malloc(s.empty() ? 1 : s.size());
  if (p == nullptr) throw std::bad_alloc();
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p;
}

char* CopyOutString(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p == nullptr) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

}  // namespace strata::capi
