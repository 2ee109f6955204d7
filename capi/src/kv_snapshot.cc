// kv.h: snapshots.
#include "capi/src/capi_util.h"

using namespace strata::capi;

extern "C" {

int kv_snapshot_new(kv_db* db, kv_snapshot** out) {
  return Guarded("kv_snapshot_new", [&] {
    if (out == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_snapshot_new: out is NULL");
    *out = nullptr;
    if (int rc = CheckDb("kv_snapshot_new", db); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_snapshot_new");
    auto snap = std::make_unique<kv_snapshot>();
    snap->owner = db;
    snap->db = db->db;
    snap->snapshot = db->db->GetSnapshot();
    *out = snap.release();
    return KV_OK;
  });
}

void kv_snapshot_free(kv_snapshot* snap) {
  if (snap == nullptr || snap->magic != kSnapshotMagic) return;
  snap->magic = kFreedMagic;
  try {
    snap->db->ReleaseSnapshot(snap->snapshot);
    // The last reference to a closed engine may go here; its shutdown joins
    // background threads and must not throw into C.
    delete snap;
  } catch (...) {
  }
}

uint64_t kv_snapshot_sequence(const kv_snapshot* snap) {
  if (snap == nullptr || snap->magic != kSnapshotMagic) return 0;
  return snap->snapshot->sequence();
}

}  // extern "C"
