// kv.h: kv_approximate_size.
#include "capi/src/capi_util.h"

using namespace strata::capi;

extern "C" {

int kv_approximate_size(kv_db* db, const void* start, size_t slen, const void* end, size_t elen,
                        uint64_t* bytes) {
  constexpr const char* kWhere = "kv_approximate_size";
  return Guarded(kWhere, [&] {
    if (bytes == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_approximate_size: bytes is NULL");
    *bytes = 0;
    if (int rc = CheckDb(kWhere, db); rc != KV_OK) return rc;
    std::optional<std::string> lower, upper;
    if (int rc = OptionalBound(kWhere, "start", start, slen, &lower); rc != KV_OK) return rc;
    if (int rc = OptionalBound(kWhere, "end", end, elen, &upper); rc != KV_OK) return rc;
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError(kWhere);
    return FromStatus(db->db->ApproximateSize(lower, upper, bytes));
  });
}

}  // extern "C"
