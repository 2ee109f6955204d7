// kv.h: flush, compaction, properties, verification and checkpoints.
#include "capi/src/capi_util.h"

using namespace strata::capi;

extern "C" {

int kv_flush(kv_db* db) {
  return Guarded("kv_flush", [&] {
    if (int rc = CheckDb("kv_flush", db); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_flush");
    return FromStatus(db->db->Flush());
  });
}

int kv_resume(kv_db* db) {
  return Guarded("kv_resume", [&] {
    if (int rc = CheckDb("kv_resume", db); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_resume");
    return FromStatus(db->db->Resume());
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

int kv_verify(kv_db* db) {
  return Guarded("kv_verify", [&] {
    if (int rc = CheckDb("kv_verify", db); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_verify");
    return FromStatus(db->db->Verify());
  });
}

int kv_checkpoint(kv_db* db, const char* dir) {
  return Guarded("kv_checkpoint", [&] {
    if (int rc = CheckDb("kv_checkpoint", db); rc != KV_OK) return rc;
    if (dir == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_checkpoint: dir is NULL");
    if (dir[0] == '\0') return Fail(KV_INVALID_ARGUMENT, "kv_checkpoint: dir is empty");
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_checkpoint");
    return FromStatus(db->db->Checkpoint(dir));
  });
}

}  // extern "C"
