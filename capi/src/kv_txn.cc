// kv.h: optimistic transactions (kv_txn_*).
#include "capi/src/capi_util.h"

using namespace strata::capi;

namespace {

int CheckTxn(const char* where, const kv_txn* t) {
  if (t == nullptr || t->magic != kTxnMagic) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": transaction is NULL or not a kv_txn");
  }
  return KV_OK;
}

// After kv_txn_commit the transaction takes no calls but kv_txn_free.
int CheckActive(const char* where, const kv_txn* t) {
  if (!t->txn->finished()) return KV_OK;
  return Fail(KV_INVALID_ARGUMENT,
              std::string(where) + ": the transaction is finished (kv_txn_commit was called); "
                                   "free it and begin a new one");
}

}  // namespace

extern "C" {

int kv_txn_begin(kv_db* db, kv_txn** out) {
  constexpr const char* kWhere = "kv_txn_begin";
  return Guarded(kWhere, [&] {
    if (out == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_txn_begin: out is NULL");
    *out = nullptr;
    if (int rc = CheckDb(kWhere, db); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError(kWhere);
    auto t = std::make_unique<kv_txn>();
    t->owner = db;
    if (int rc = FromStatus(strata::OptimisticTransaction::Begin(db->db, &t->txn)); rc != KV_OK) {
      return rc;
    }
    *out = t.release();
    return KV_OK;
  });
}

int kv_txn_get(kv_txn* t, const void* key, size_t klen, void** val, size_t* vlen) {
  constexpr const char* kWhere = "kv_txn_get";
  return Guarded(kWhere, [&] {
    if (val != nullptr) *val = nullptr;
    if (vlen != nullptr) *vlen = 0;
    if (int rc = CheckTxn(kWhere, t); rc != KV_OK) return rc;
    if (int rc = CheckActive(kWhere, t); rc != KV_OK) return rc;
    if (int rc = CheckKey(kWhere, key, klen); rc != KV_OK) return rc;
    if (val == nullptr || vlen == nullptr) {
      return Fail(KV_INVALID_ARGUMENT, "kv_txn_get: val and vlen must not be NULL");
    }
    DbCallGuard guard(t->owner);
    if (!guard.ok()) return ClosedError(kWhere);
    std::string value;
    int rc = FromStatus(t->txn->Get(Bytes(key, klen), &value));
    if (rc != KV_OK) return rc;
    *val = CopyOut(value);
    *vlen = value.size();
    return KV_OK;
  });
}

int kv_txn_put(kv_txn* t, const void* key, size_t klen, const void* val, size_t vlen) {
  constexpr const char* kWhere = "kv_txn_put";
  return Guarded(kWhere, [&] {
    if (int rc = CheckTxn(kWhere, t); rc != KV_OK) return rc;
    if (int rc = CheckActive(kWhere, t); rc != KV_OK) return rc;
    if (int rc = CheckKey(kWhere, key, klen); rc != KV_OK) return rc;
    if (int rc = CheckValue(kWhere, val, vlen); rc != KV_OK) return rc;
    DbCallGuard guard(t->owner);
    if (!guard.ok()) return ClosedError(kWhere);
    return FromStatus(t->txn->Put(Bytes(key, klen), Bytes(val, vlen)));
  });
}

int kv_txn_delete(kv_txn* t, const void* key, size_t klen) {
  constexpr const char* kWhere = "kv_txn_delete";
  return Guarded(kWhere, [&] {
    if (int rc = CheckTxn(kWhere, t); rc != KV_OK) return rc;
    if (int rc = CheckActive(kWhere, t); rc != KV_OK) return rc;
    if (int rc = CheckKey(kWhere, key, klen); rc != KV_OK) return rc;
    DbCallGuard guard(t->owner);
    if (!guard.ok()) return ClosedError(kWhere);
    return FromStatus(t->txn->Delete(Bytes(key, klen)));
  });
}

int kv_txn_commit(kv_txn* t) {
  constexpr const char* kWhere = "kv_txn_commit";
  return Guarded(kWhere, [&] {
    if (int rc = CheckTxn(kWhere, t); rc != KV_OK) return rc;
    if (int rc = CheckActive(kWhere, t); rc != KV_OK) return rc;
    DbCallGuard guard(t->owner);
    if (!guard.ok()) return ClosedError(kWhere);
    return FromStatus(t->txn->Commit(strata::WriteOptions()));
  });
}

void kv_txn_free(kv_txn* t) {
  if (t == nullptr || t->magic != kTxnMagic) return;
  t->magic = kFreedMagic;
  try {
    // Releases the snapshot; the last reference to a closed engine may go
    // here, and its shutdown must not throw into C.
    delete t;
  } catch (...) {
  }
}

}  // extern "C"
