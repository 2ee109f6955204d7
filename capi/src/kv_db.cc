// kv.h: versions and error reporting, opening, closing and destroying a
// database, and kv_free.
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "capi/src/capi_env.h"
#include "capi/src/capi_util.h"
#include "core/db/destroy.h"

using namespace strata::capi;

namespace {

// Closed kv_db handles, kept (see handles.h) and listed here so that leak
// checkers see them as reachable, which they are by design.
std::mutex g_closed_mu;
std::vector<kv_db*>* g_closed_handles = new std::vector<kv_db*>();

}  // namespace

extern "C" {

const char* kv_version(void) { return KV_VERSION_STRING; }

const char* kv_last_error(void) { return LastError().c_str(); }

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
    case KV_CONFLICT: return "KV_CONFLICT";
    case KV_BUFFER_TOO_SMALL: return "KV_BUFFER_TOO_SMALL";
    default: return "KV_UNKNOWN_STATUS";
  }
}

void kv_free(void* p) { std::free(p); }

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
    options.env = CurrentEnv();  // kv_options cannot name one (capi_env.h)
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
    // Open iterators and snapshots hold their own references; the engine
    // shuts down when the last one goes. The handle struct stays (handles.h).
    db->db.reset();
    std::lock_guard lock(g_closed_mu);
    g_closed_handles->push_back(db);
    return KV_OK;
  });
}

int kv_destroy(const char* path) {
  return Guarded("kv_destroy", [&] {
    if (path == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_destroy: path is NULL");
    if (path[0] == '\0') return Fail(KV_INVALID_ARGUMENT, "kv_destroy: path is empty");
    return FromStatus(strata::DestroyDB(CurrentEnv(), path));
  });
}

}  // extern "C"
