// kv.h: kv_repair, over strata::RepairDB (core/db/repair.h).
#include "capi/src/capi_env.h"
#include "capi/src/capi_util.h"
#include "core/db/repair.h"

using namespace strata::capi;

extern "C" {

int kv_repair(const char* path, const kv_options* o, char** report) {
  return Guarded("kv_repair", [&] {
    if (report != nullptr) *report = nullptr;
    if (path == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_repair: path is NULL");
    if (path[0] == '\0') return Fail(KV_INVALID_ARGUMENT, "kv_repair: path is empty");
    if (o != nullptr && o->magic != kOptionsMagic) {
      return Fail(KV_INVALID_ARGUMENT, "kv_repair: options is not a kv_options");
    }
    strata::Options options = o != nullptr ? o->options : strata::Options();
    options.env = CurrentEnv();  // kv_options cannot name one (capi_env.h)
    strata::RepairReport result;
    const int rc = FromStatus(strata::RepairDB(options, path, &result));
    if (rc != KV_OK) return rc;
    if (report != nullptr) *report = CopyOutString(result.ToString());
    return KV_OK;
  });
}

}  // extern "C"
