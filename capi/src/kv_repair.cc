// kv.h: kv_repair.
// TEMPORARY: the repairer (core/db/repair.*) is being written with the
// command-line tool (issue 10); until it lands this reports KV_NOT_SUPPORTED.
#include "capi/src/capi_util.h"

using namespace strata::capi;

extern "C" {

int kv_repair(const char* path, const kv_options* o, char** report) {
  return Guarded("kv_repair", [&] {
    if (report != nullptr) *report = nullptr;
    if (path == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_repair: path is NULL");
    return Fail(KV_NOT_SUPPORTED, "kv_repair: not implemented yet");
  });
}

}  // extern "C"
