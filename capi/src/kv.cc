// The C ABI (capi/include/strata/kv.h) over the engine.
//
// Every entry point validates its arguments, runs inside a catch-all so no
// exception crosses into C, and turns a strata::Status into a KV_* code with
// a per-thread message.
#include "strata/kv.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <mutex>
#include <thread>
#include <vector>

#include "capi/src/handles.h"

namespace {

thread_local std::string g_last_error;

// Closed kv_db handles, kept (see handles.h) and listed here so that leak
// checkers see them as reachable, which they are by design.
std::mutex g_closed_mu;
std::vector<kv_db*>* g_closed_handles = new std::vector<kv_db*>();

int Fail(int code, std::string message) {
  g_last_error = std::move(message);
  return code;
}

int FromStatus(const strata::Status& s) {
  using Code = strata::Status::Code;
  if (s.ok()) return KV_OK;
  g_last_error = s.message();
  switch (s.code()) {
    case Code::kOk: return KV_OK;
    case Code::kNotFound: return KV_NOT_FOUND;
    case Code::kCorruption: return KV_CORRUPTION;
    case Code::kNotSupported: return KV_NOT_SUPPORTED;
    case Code::kInvalidArgument: return KV_INVALID_ARGUMENT;
    case Code::kIOError: return KV_IO_ERROR;
    case Code::kBusy: return KV_BUSY;
    case Code::kNoMemory: return KV_NO_MEMORY;
  }
  return KV_INTERNAL;
}

// Runs fn, mapping any escaping exception to a status code.
template <typename Fn>
int Guarded(const char* where, Fn&& fn) noexcept {
  try {
    g_last_error.clear();
    return fn();
  } catch (const std::bad_alloc&) {
    return Fail(KV_NO_MEMORY, std::string(where) + ": out of memory");
  } catch (const std::exception& e) {
    return Fail(KV_INTERNAL, std::string(where) + ": internal error: " + e.what());
  } catch (...) {
    return Fail(KV_INTERNAL, std::string(where) + ": internal error");
  }
}

std::string_view Bytes(const void* p, size_t n) {
  return n == 0 ? std::string_view() : std::string_view(static_cast<const char*>(p), n);
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

int ClosedError(const char* where) {
  return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": the database handle is closed");
}

// Copies bytes into a new malloc'd buffer (never NULL, even for 0 bytes).
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

}  // namespace

extern "C" {

const char* kv_version(void) { return KV_VERSION_STRING; }

const char* kv_last_error(void) { return g_last_error.c_str(); }

const char* kv_status_name(int status) {
  switch (status) {
    case KV_OK: return "KV_OK";
    case KV_NOT_FOUND: return "KV_NOT_FOUND";
    case KV_END: return "KV_END";
    case KV_INVALID_ARGUMENT: return "KV_INVALID_ARGUMENT";
    case KV_IO_ERROR: return "KV_IO_ERROR";
    case KV_CORRUPTION: return "KV_CORRUPTION";
    case KV_BUSY: return "KV_BUSY";
    case KV_NO_MEMORY: return "KV_NO_MEMORY";
    case KV_NOT_SUPPORTED: return "KV_NOT_SUPPORTED";
    case KV_INTERNAL: return "KV_INTERNAL";
    default: return "KV_UNKNOWN_STATUS";
  }
}

// ---- Options ---------------------------------------------------------------

kv_options* kv_options_new(void) {
  try {
    return new kv_options();
  } catch (...) {
    g_last_error = "kv_options_new: out of memory";
    return nullptr;
  }
}

int kv_options_set(kv_options* o, const char* name, const char* value) {
  return Guarded("kv_options_set", [&] {
    if (o == nullptr || o->magic != kOptionsMagic) {
      return Fail(KV_INVALID_ARGUMENT, "kv_options_set: options is NULL or not a kv_options");
    }
    if (name == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_options_set: name is NULL");
    if (value == nullptr) {
      return Fail(KV_INVALID_ARGUMENT,
                  std::string("kv_options_set: value for '") + name + "' is NULL");
    }
    return FromStatus(o->options.Set(name, value));
  });
}

int kv_options_get(const kv_options* o, const char* name, char** value) {
  return Guarded("kv_options_get", [&] {
    if (value != nullptr) *value = nullptr;
    if (o == nullptr || o->magic != kOptionsMagic) {
      return Fail(KV_INVALID_ARGUMENT, "kv_options_get: options is NULL or not a kv_options");
    }
    if (name == nullptr || value == nullptr) {
      return Fail(KV_INVALID_ARGUMENT, "kv_options_get: name or value is NULL");
    }
    std::string text;
    int rc = FromStatus(o->options.Get(name, &text));
    if (rc == KV_OK) *value = CopyOutString(text);
    return rc;
  });
}

void kv_options_free(kv_options* o) {
  if (o == nullptr || o->magic != kOptionsMagic) return;
  o->magic = kFreedMagic;
  delete o;
}

// ---- Open and close -----------------------------------------------------

int kv_open(const char* path, const kv_options* o, kv_db** out) {
  return Guarded("kv_open", [&] {
    if (out == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_open: out is NULL");
    *out = nullptr;
    if (path == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_open: path is NULL");
    if (path[0] == '\0') return Fail(KV_INVALID_ARGUMENT, "kv_open: path is empty");
    if (o != nullptr && o->magic != kOptionsMagic) {
      return Fail(KV_INVALID_ARGUMENT, "kv_open: options is not a kv_options");
    }
    strata::Options options = o != nullptr ? o->options : strata::Options();
    std::shared_ptr<strata::DB> db;
    int rc = FromStatus(strata::DB::Open(options, path, &db));
    if (rc != KV_OK) return rc;
    auto* handle = new kv_db();
    handle->db = std::move(db);
    *out = handle;
    return KV_OK;
  });
}

int kv_close(kv_db* db) {
  return Guarded("kv_close", [&] {
    if (int rc = CheckDb("kv_close", db); rc != KV_OK) return rc;
    if (db->closed.exchange(true, std::memory_order_seq_cst)) {
      return Fail(KV_INVALID_ARGUMENT, "kv_close: the database handle is already closed");
    }
    // Calls that entered before the close finish first.
    while (db->in_flight.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
    // Open iterators hold their own references; the engine shuts down when
    // the last one goes. The handle struct stays (see handles.h).
    db->db.reset();
    std::lock_guard lock(g_closed_mu);
    g_closed_handles->push_back(db);
    return KV_OK;
  });
}

// ---- Single-key operations ----------------------------------------------

int kv_put(kv_db* db, const void* key, size_t key_len, const void* val, size_t val_len) {
  return Guarded("kv_put", [&] {
    if (int rc = CheckDb("kv_put", db); rc != KV_OK) return rc;
    if (int rc = CheckKey("kv_put", key, key_len); rc != KV_OK) return rc;
    if (int rc = CheckValue("kv_put", val, val_len); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_put");
    return FromStatus(db->db->Put(strata::WriteOptions(), Bytes(key, key_len), Bytes(val, val_len)));
  });
}

int kv_get(kv_db* db, const void* key, size_t key_len, void** val, size_t* val_len) {
  return Guarded("kv_get", [&] {
    if (val != nullptr) *val = nullptr;
    if (val_len != nullptr) *val_len = 0;
    if (int rc = CheckDb("kv_get", db); rc != KV_OK) return rc;
    if (int rc = CheckKey("kv_get", key, key_len); rc != KV_OK) return rc;
    if (val == nullptr || val_len == nullptr) {
      return Fail(KV_INVALID_ARGUMENT, "kv_get: val and val_len must not be NULL");
    }
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_get");
    std::string value;
    int rc = FromStatus(db->db->Get(strata::ReadOptions(), Bytes(key, key_len), &value));
    if (rc != KV_OK) return rc;
    *val = CopyOut(value);
    *val_len = value.size();
    return KV_OK;
  });
}

void kv_free(void* p) { std::free(p); }

int kv_delete(kv_db* db, const void* key, size_t key_len) {
  return Guarded("kv_delete", [&] {
    if (int rc = CheckDb("kv_delete", db); rc != KV_OK) return rc;
    if (int rc = CheckKey("kv_delete", key, key_len); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_delete");
    return FromStatus(db->db->Delete(strata::WriteOptions(), Bytes(key, key_len)));
  });
}

// ---- Batches ----------------------------------------------------------------

kv_batch* kv_batch_new(void) {
  try {
    return new kv_batch();
  } catch (...) {
    g_last_error = "kv_batch_new: out of memory";
    return nullptr;
  }
}

int kv_batch_put(kv_batch* b, const void* key, size_t key_len, const void* val, size_t val_len) {
  return Guarded("kv_batch_put", [&] {
    if (b == nullptr || b->magic != kBatchMagic) {
      return Fail(KV_INVALID_ARGUMENT, "kv_batch_put: batch is NULL or not a kv_batch");
    }
    if (int rc = CheckKey("kv_batch_put", key, key_len); rc != KV_OK) return rc;
    if (int rc = CheckValue("kv_batch_put", val, val_len); rc != KV_OK) return rc;
    if (b->batch.ByteSize() + key_len + val_len > KV_MAX_VALUE_LEN * 2ull) {
      return Fail(KV_INVALID_ARGUMENT, "kv_batch_put: the batch would exceed 2 GiB");
    }
    b->batch.Put(Bytes(key, key_len), Bytes(val, val_len));
    return KV_OK;
  });
}

int kv_batch_delete(kv_batch* b, const void* key, size_t key_len) {
  return Guarded("kv_batch_delete", [&] {
    if (b == nullptr || b->magic != kBatchMagic) {
      return Fail(KV_INVALID_ARGUMENT, "kv_batch_delete: batch is NULL or not a kv_batch");
    }
    if (int rc = CheckKey("kv_batch_delete", key, key_len); rc != KV_OK) return rc;
    b->batch.Delete(Bytes(key, key_len));
    return KV_OK;
  });
}

void kv_batch_clear(kv_batch* b) {
  if (b == nullptr || b->magic != kBatchMagic) return;
  b->batch.Clear();
}

size_t kv_batch_count(const kv_batch* b) {
  if (b == nullptr || b->magic != kBatchMagic) return 0;
  return b->batch.Count();
}

void kv_batch_free(kv_batch* b) {
  if (b == nullptr || b->magic != kBatchMagic) return;
  b->magic = kFreedMagic;
  delete b;
}

int kv_write(kv_db* db, const kv_batch* b) {
  return Guarded("kv_write", [&] {
    if (int rc = CheckDb("kv_write", db); rc != KV_OK) return rc;
    if (b == nullptr || b->magic != kBatchMagic) {
      return Fail(KV_INVALID_ARGUMENT, "kv_write: batch is NULL or not a kv_batch");
    }
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_write");
    return FromStatus(db->db->Write(strata::WriteOptions(), b->batch));
  });
}

// ---- Iterators -------------------------------------------------------------

int kv_iter_new(kv_db* db, const void* start, size_t start_len, const void* end, size_t end_len,
                kv_iter** out) {
  return Guarded("kv_iter_new", [&] {
    if (out == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_iter_new: out is NULL");
    *out = nullptr;
    if (int rc = CheckDb("kv_iter_new", db); rc != KV_OK) return rc;
    std::optional<std::string> lower, upper;
    if (int rc = OptionalBound("kv_iter_new", "start", start, start_len, &lower); rc != KV_OK) {
      return rc;
    }
    if (int rc = OptionalBound("kv_iter_new", "end", end, end_len, &upper); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_iter_new");
    auto it = std::make_unique<kv_iter>();
    it->it = db->db->NewIterator(strata::ReadOptions(), std::move(lower), std::move(upper));
    *out = it.release();
    return KV_OK;
  });
}

int kv_iter_next(kv_iter* it, const void** key, size_t* key_len, const void** val,
                 size_t* val_len) {
  return Guarded("kv_iter_next", [&] {
    if (it == nullptr || it->magic != kIterMagic) {
      return Fail(KV_INVALID_ARGUMENT, "kv_iter_next: iterator is NULL or not a kv_iter");
    }
    if (key != nullptr) *key = nullptr;
    if (key_len != nullptr) *key_len = 0;
    if (val != nullptr) *val = nullptr;
    if (val_len != nullptr) *val_len = 0;
    if (it->ended) return KV_END;
    if (!it->started) {
      it->started = true;
      it->it->SeekToFirst();
    } else {
      it->it->Next();
    }
    if (!it->it->Valid()) {
      strata::Status s = it->it->status();
      if (!s.ok()) {
        // An iterator reports only KV_OK, KV_END or an error; an internal
        // "not found" here means something the database lists is missing.
        int rc = FromStatus(s);
        return rc > 0 ? Fail(KV_CORRUPTION, s.message()) : rc;
      }
      it->ended = true;
      return KV_END;
    }
    // A key of length 0 still gets a non-NULL pointer.
    static const char kEmpty[1] = {0};
    std::string_view k = it->it->key();
    std::string_view v = it->it->value();
    if (key != nullptr) *key = k.data() != nullptr ? k.data() : kEmpty;
    if (key_len != nullptr) *key_len = k.size();
    if (val != nullptr) *val = v.data() != nullptr ? v.data() : kEmpty;
    if (val_len != nullptr) *val_len = v.size();
    return KV_OK;
  });
}

void kv_iter_free(kv_iter* it) {
  if (it == nullptr || it->magic != kIterMagic) return;
  it->magic = kFreedMagic;
  try {
    delete it;
  } catch (...) {
  }
}

// ---- Maintenance ------------------------------------------------------------

int kv_flush(kv_db* db) {
  return Guarded("kv_flush", [&] {
    if (int rc = CheckDb("kv_flush", db); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_flush");
    return FromStatus(db->db->Flush());
  });
}

int kv_wait_compactions(kv_db* db) {
  return Guarded("kv_wait_compactions", [&] {
    if (int rc = CheckDb("kv_wait_compactions", db); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_wait_compactions");
    return FromStatus(db->db->WaitForBackgroundWork());
  });
}

int kv_compact_range(kv_db* db, const void* start, size_t start_len, const void* end,
                     size_t end_len) {
  return Guarded("kv_compact_range", [&] {
    if (int rc = CheckDb("kv_compact_range", db); rc != KV_OK) return rc;
    std::optional<std::string> lower, upper;
    if (int rc = OptionalBound("kv_compact_range", "start", start, start_len, &lower);
        rc != KV_OK) {
      return rc;
    }
    if (int rc = OptionalBound("kv_compact_range", "end", end, end_len, &upper); rc != KV_OK) {
      return rc;
    }
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_compact_range");
    std::string_view lo, hi;
    if (lower) lo = *lower;
    if (upper) hi = *upper;
    return FromStatus(db->db->CompactRange(lower ? &lo : nullptr, upper ? &hi : nullptr));
  });
}

int kv_property(kv_db* db, const char* name, char** out) {
  return Guarded("kv_property", [&] {
    if (out != nullptr) *out = nullptr;
    if (int rc = CheckDb("kv_property", db); rc != KV_OK) return rc;
    if (name == nullptr || out == nullptr) {
      return Fail(KV_INVALID_ARGUMENT, "kv_property: name and out must not be NULL");
    }
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_property");
    std::string value;
    if (!db->db->GetProperty(name, &value)) {
      return Fail(KV_INVALID_ARGUMENT, std::string("kv_property: unknown property '") + name + "'");
    }
    *out = CopyOutString(value);
    return KV_OK;
  });
}

}  // extern "C"
