// Shared plumbing of the C ABI's entry points: the per-thread error message,
// the mapping from strata::Status to KV_* codes, the catch-all that keeps
// exceptions out of C, and the argument checks every entry point runs.
//
// Thread safety: everything here is safe from any thread; the error message
// is per thread.
#pragma once

#include <cstddef>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include "capi/src/handles.h"
#include "core/status.h"
#include "strata/kv.h"

namespace strata::capi {

// The calling thread's last error message (kv_last_error).
std::string& LastError();
// Empties it; cheap when it is already empty.
void ClearLastError();

// Sets the message and returns `code`.
int Fail(int code, std::string message);

// KV_OK for OK; otherwise sets the message and returns the matching code.
int FromStatus(const Status& s);

// Runs fn, mapping any exception that escapes it to a status code, so that no
// exception crosses into C.
template <typename Fn>
int Guarded(const char* where, Fn&& fn) noexcept {
  try {
    ClearLastError();
    return fn();
  } catch (const std::bad_alloc&) {
    return Fail(KV_NO_MEMORY, std::string(where) + ": out of memory");
  } catch (const std::exception& e) {
    return Fail(KV_INTERNAL, std::string(where) + ": internal error: " + e.what());
  } catch (...) {
    return Fail(KV_INTERNAL, std::string(where) + ": internal error");
  }
}

// Borrowed bytes as a string_view (NULL with length 0 is the empty string).
inline std::string_view Bytes(const void* p, size_t n) {
  return n == 0 ? std::string_view() : std::string_view(static_cast<const char*>(p), n);
}

// Argument checks: each returns KV_OK or fails with a message naming `where`.
int CheckKey(const char* where, const void* key, size_t key_len);
int CheckValue(const char* where, const void* val, size_t val_len);
int CheckDb(const char* where, const kv_db* db);
int CheckBatch(const char* where, const kv_batch* b);
int CheckIter(const char* where, const kv_iter* it);
// A NULL snapshot is fine (the latest state); one of another database is not.
int CheckSnapshot(const char* where, const kv_db* db, const kv_snapshot* snap);
int CheckWriteFlags(const char* where, unsigned flags);
int ClosedError(const char* where);

// A range bound: NULL (length 0) is open, anything else a key.
int OptionalBound(const char* where, const char* which, const void* p, size_t n,
                  std::optional<std::string>* out);

// Copies bytes into a new malloc'd buffer that the caller frees with kv_free
// (never NULL, even for 0 bytes). Throws std::bad_alloc.
void* CopyOut(std::string_view s);
// Copies a string into a new malloc'd NUL-terminated buffer. Throws
// std::bad_alloc.
char* CopyOutString(const std::string& s);

}  // namespace strata::capi
