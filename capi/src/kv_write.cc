// kv.h: writes (single keys and batches, with and without per-call flags).
#include "capi/src/capi_util.h"

using namespace strata::capi;

namespace {

strata::WriteOptions ToWriteOptions(unsigned flags) {
  strata::WriteOptions wo;
  wo.sync = (flags & KV_WRITE_SYNC) != 0;
  return wo;
}

int Put(const char* where, kv_db* db, const void* key, size_t key_len, const void* val,
        size_t val_len, unsigned flags) {
  return Guarded(where, [&] {
    if (int rc = CheckDb(where, db); rc != KV_OK) return rc;
    if (int rc = CheckKey(where, key, key_len); rc != KV_OK) return rc;
    if (int rc = CheckValue(where, val, val_len); rc != KV_OK) return rc;
    if (int rc = CheckWriteFlags(where, flags); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError(where);
    return FromStatus(db->db->Put(ToWriteOptions(flags), Bytes(key, key_len), Bytes(val, val_len)));
  });
}

int Delete(const char* where, kv_db* db, const void* key, size_t key_len, unsigned flags) {
  return Guarded(where, [&] {
    if (int rc = CheckDb(where, db); rc != KV_OK) return rc;
    if (int rc = CheckKey(where, key, key_len); rc != KV_OK) return rc;
    if (int rc = CheckWriteFlags(where, flags); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError(where);
    return FromStatus(db->db->Delete(ToWriteOptions(flags), Bytes(key, key_len)));
  });
}

int DeleteRange(const char* where, kv_db* db, const void* start, size_t start_len,
                const void* end, size_t end_len) {
  return Guarded(where, [&] {
    if (int rc = CheckDb(where, db); rc != KV_OK) return rc;
    if (int rc = CheckKey(where, start, start_len); rc != KV_OK) return rc;
    if (int rc = CheckKey(where, end, end_len); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError(where);
    // An empty or reversed range is a no-op (DB::DeleteRange).
    return FromStatus(
        db->db->DeleteRange(ToWriteOptions(0), Bytes(start, start_len), Bytes(end, end_len)));
  });
}

int Write(const char* where, kv_db* db, const kv_batch* b, unsigned flags) {
  return Guarded(where, [&] {
    if (int rc = CheckDb(where, db); rc != KV_OK) return rc;
    if (int rc = CheckBatch(where, b); rc != KV_OK) return rc;
    if (int rc = CheckWriteFlags(where, flags); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError(where);
    return FromStatus(db->db->Write(ToWriteOptions(flags), b->batch));
  });
}

}  // namespace

extern "C" {

int kv_put(kv_db* db, const void* key, size_t key_len, const void* val, size_t val_len) {
  return Put("kv_put", db, key, key_len, val, val_len, 0);
}

int kv_put_ex(kv_db* db, const void* key, size_t key_len, const void* val, size_t val_len,
              unsigned flags) {
  return Put("kv_put_ex", db, key, key_len, val, val_len, flags);
}

int kv_delete(kv_db* db, const void* key, size_t key_len) {
  return Delete("kv_delete", db, key, key_len, 0);
}

int kv_delete_ex(kv_db* db, const void* key, size_t key_len, unsigned flags) {
  return Delete("kv_delete_ex", db, key, key_len, flags);
}

int kv_delete_range(kv_db* db, const void* start, size_t start_len, const void* end,
                    size_t end_len) {
  return DeleteRange("kv_delete_range", db, start, start_len, end, end_len);
}

int kv_write(kv_db* db, const kv_batch* b) { return Write("kv_write", db, b, 0); }

int kv_write_ex(kv_db* db, const kv_batch* b, unsigned flags) {
  return Write("kv_write_ex", db, b, flags);
}

}  // extern "C"
