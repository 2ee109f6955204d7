// kv.h: point reads (kv_get, kv_get_at, kv_get_into, kv_get_into_at, kv_multi_get).
#include <cstdlib>
#include <cstring>
#include <vector>

#include "capi/src/capi_util.h"

using namespace strata::capi;

namespace {

strata::ReadOptions ToReadOptions(const kv_snapshot* snap) {
  strata::ReadOptions ro;
  if (snap != nullptr) ro.snapshot = snap->snapshot;
  return ro;
}

int Get(const char* where, kv_db* db, const kv_snapshot* snap, const void* key, size_t key_len,
        void** val, size_t* val_len) {
  return Guarded(where, [&] {
    if (val != nullptr) *val = nullptr;
    if (val_len != nullptr) *val_len = 0;
    if (int rc = CheckDb(where, db); rc != KV_OK) return rc;
    if (int rc = CheckKey(where, key, key_len); rc != KV_OK) return rc;
    if (val == nullptr || val_len == nullptr) {
      return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": val and val_len must not be NULL");
    }
    if (int rc = CheckSnapshot(where, db, snap); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError(where);
    // The value is copied once, from where the engine found it into the
    // buffer handed out.
    void* out = nullptr;
    size_t out_len = 0;
    int rc = FromStatus(db->db->Get(ToReadOptions(snap), Bytes(key, key_len),
                                    [&](std::string_view found) {
                                      out = CopyOut(found);
                                      out_len = found.size();
                                    }));
    if (rc != KV_OK) {
      std::free(out);
      return rc;
    }
    *val = out;
    *val_len = out_len;
    return KV_OK;
  });
}

// kv_get_into: the value goes from the memtable or table block straight into
// the caller's buffer, or, when it does not fit, nowhere (only its size).
int GetInto(const char* where, kv_db* db, const kv_snapshot* snap, const void* key,
            size_t key_len, void* buf, size_t cap, size_t* val_len) {
  return Guarded(where, [&] {
    if (val_len != nullptr) *val_len = 0;
    if (int rc = CheckDb(where, db); rc != KV_OK) return rc;
    if (int rc = CheckKey(where, key, key_len); rc != KV_OK) return rc;
    if (val_len == nullptr) {
      return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": vlen must not be NULL");
    }
    if (buf == nullptr && cap != 0) {
      return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": buf is NULL but cap is not 0");
    }
    if (int rc = CheckSnapshot(where, db, snap); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError(where);
    size_t found_len = 0;
    int rc = FromStatus(db->db->Get(ToReadOptions(snap), Bytes(key, key_len),
                                    [&](std::string_view found) {
                                      found_len = found.size();
                                      if (found.size() <= cap && !found.empty()) {
                                        std::memcpy(buf, found.data(), found.size());
                                      }
                                    }));
    if (rc != KV_OK) return rc;
    *val_len = found_len;
    if (found_len > cap) {
      return Fail(KV_BUFFER_TOO_SMALL, std::string(where) + ": the value has " +
                                           std::to_string(found_len) + " bytes, the buffer " +
                                           std::to_string(cap));
    }
    return KV_OK;
  });
}

}  // namespace

extern "C" {

int kv_get(kv_db* db, const void* key, size_t key_len, void** val, size_t* val_len) {
  return Get("kv_get", db, nullptr, key, key_len, val, val_len);
}

int kv_get_at(kv_db* db, const kv_snapshot* snap, const void* key, size_t key_len, void** val,
              size_t* val_len) {
  return Get("kv_get_at", db, snap, key, key_len, val, val_len);
}

int kv_get_into(kv_db* db, const void* key, size_t klen, void* buf, size_t cap, size_t* vlen) {
  return GetInto("kv_get_into", db, nullptr, key, klen, buf, cap, vlen);
}

int kv_get_into_at(kv_db* db, const kv_snapshot* snap, const void* key, size_t klen, void* buf,
                   size_t cap, size_t* vlen) {
  return GetInto("kv_get_into_at", db, snap, key, klen, buf, cap, vlen);
}

int kv_multi_get(kv_db* db, const kv_snapshot* snap, size_t n, const void* keys,
                 const size_t* key_lens, void** buffer, const void** vals, size_t* val_lens,
                 int* statuses) {
  constexpr const char* kWhere = "kv_multi_get";
  return Guarded(kWhere, [&]() -> int {
    if (buffer != nullptr) *buffer = nullptr;
    if (int rc = CheckDb(kWhere, db); rc != KV_OK) return rc;
    if (buffer == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_multi_get: buffer is NULL");
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError(kWhere);
    if (n == 0) return KV_OK;
    if (key_lens == nullptr || val_lens == nullptr || statuses == nullptr) {
      return Fail(KV_INVALID_ARGUMENT,
                  "kv_multi_get: key_lens, val_lens and statuses must not be NULL when n > 0");
    }
    if (n > (size_t{1} << 32)) {
      return Fail(KV_INVALID_ARGUMENT, "kv_multi_get: more than 2^32 keys in one call");
    }
    if (int rc = CheckSnapshot(kWhere, db, snap); rc != KV_OK) return rc;
    std::vector<std::string_view> key_views(n);
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      if (key_lens[i] > KV_MAX_KEY_LEN) {
        return Fail(KV_INVALID_ARGUMENT, "kv_multi_get: key " + std::to_string(i) + " of " +
                                             std::to_string(key_lens[i]) +
                                             " bytes exceeds KV_MAX_KEY_LEN");
      }
      total += key_lens[i];
    }
    if (keys == nullptr && total != 0) {
      return Fail(KV_INVALID_ARGUMENT, "kv_multi_get: keys is NULL but the key lengths are not 0");
    }
    const char* p = static_cast<const char*>(keys);
    for (size_t i = 0; i < n; ++i) {
      key_views[i] = Bytes(p, key_lens[i]);
      p += key_lens[i];
    }

    std::vector<std::string> values;
    std::vector<strata::Status> results;
    db->db->MultiGet(ToReadOptions(snap), key_views, &values, &results);

    size_t value_bytes = 0;
    for (size_t i = 0; i < n; ++i) {
      if (results[i].ok()) value_bytes += values[i].size();
    }
    char* out = nullptr;
    bool any_found = false;
    for (size_t i = 0; i < n && !any_found; ++i) any_found = results[i].ok();
    if (any_found) {
      out = static_cast<char*>(std::malloc(value_bytes == 0 ? 1 : value_bytes));
      if (out == nullptr) throw std::bad_alloc();
    }
    int first_error = KV_OK;
    std::string first_message;
    char* cursor = out;
    for (size_t i = 0; i < n; ++i) {
      if (vals != nullptr) vals[i] = nullptr;
      val_lens[i] = 0;
      if (results[i].ok()) {
        if (!values[i].empty()) std::memcpy(cursor, values[i].data(), values[i].size());
        if (vals != nullptr) vals[i] = cursor;
        val_lens[i] = values[i].size();
        cursor += values[i].size();
        statuses[i] = KV_OK;
      } else if (results[i].IsNotFound()) {
        statuses[i] = KV_NOT_FOUND;
      } else {
        statuses[i] = FromStatus(results[i]);
        if (first_error == KV_OK) {
          first_error = statuses[i];
          first_message = "kv_multi_get: key " + std::to_string(i) + ": " + results[i].message();
        }
      }
    }
    *buffer = out;
    if (first_error != KV_OK) return Fail(first_error, std::move(first_message));
    return KV_OK;
  });
}

}  // extern "C"
