// kv.h: bulk ingest (SST writers and kv_ingest).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "capi/src/capi_env.h"
#include "capi/src/capi_util.h"
#include "core/table/sst_file_writer.h"

using namespace strata::capi;

namespace {
constexpr uint64_t kSstWriterMagic = 0x5354525353545731ull;  // "STRSSTW1"
}  // namespace

// The writer behind kv_sst_writer. Kept after a successful finish (writer
// says so) so that a late put is refused rather than misread; freed by
// kv_sst_writer_free only.
struct kv_sst_writer {
  uint64_t magic = kSstWriterMagic;
  std::unique_ptr<strata::SstFileWriter> writer;
};

namespace {

int CheckWriter(const char* where, const kv_sst_writer* w) {
  if (w == nullptr || w->magic != kSstWriterMagic) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": writer is NULL or not a kv_sst_writer");
  }
  if (w->writer->finished()) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": the writer is already finished");
  }
  return KV_OK;
}

}  // namespace

extern "C" {

int kv_sst_writer_new(const char* path, const kv_options* o, kv_sst_writer** out) {
  return Guarded("kv_sst_writer_new", [&] {
    if (out == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_sst_writer_new: out is NULL");
    *out = nullptr;
    if (path == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_sst_writer_new: path is NULL");
    if (path[0] == '\0') return Fail(KV_INVALID_ARGUMENT, "kv_sst_writer_new: path is empty");
    if (o != nullptr && o->magic != kOptionsMagic) {
      return Fail(KV_INVALID_ARGUMENT, "kv_sst_writer_new: options is not a kv_options");
    }
    strata::Options options = o != nullptr ? o->options : strata::Options();
    options.env = CurrentEnv();
    auto handle = std::make_unique<kv_sst_writer>();
    int rc = FromStatus(strata::SstFileWriter::Open(options, path, &handle->writer));
    if (rc != KV_OK) return rc;
    *out = handle.release();
    return KV_OK;
  });
}

int kv_sst_writer_put(kv_sst_writer* w, const void* key, size_t klen, const void* val,
                      size_t vlen) {
  return Guarded("kv_sst_writer_put", [&] {
    if (int rc = CheckWriter("kv_sst_writer_put", w); rc != KV_OK) return rc;
    if (int rc = CheckKey("kv_sst_writer_put", key, klen); rc != KV_OK) return rc;
    if (int rc = CheckValue("kv_sst_writer_put", val, vlen); rc != KV_OK) return rc;
    return FromStatus(w->writer->Put(Bytes(key, klen), Bytes(val, vlen)));
  });
}

int kv_sst_writer_delete(kv_sst_writer* w, const void* key, size_t klen) {
  return Guarded("kv_sst_writer_delete", [&] {
    if (int rc = CheckWriter("kv_sst_writer_delete", w); rc != KV_OK) return rc;
    if (int rc = CheckKey("kv_sst_writer_delete", key, klen); rc != KV_OK) return rc;
    return FromStatus(w->writer->Delete(Bytes(key, klen)));
  });
}

int kv_sst_writer_finish(kv_sst_writer* w) {
  return Guarded("kv_sst_writer_finish", [&] {
    if (int rc = CheckWriter("kv_sst_writer_finish", w); rc != KV_OK) return rc;
    return FromStatus(w->writer->Finish());
  });
}

void kv_sst_writer_free(kv_sst_writer* w) {
  if (w == nullptr || w->magic != kSstWriterMagic) return;
  w->magic = kFreedMagic;
  // The destructor removes an unfinished file; it does not throw.
  delete w;
}

int kv_ingest(kv_db* db, const char* const* paths, size_t n, unsigned flags) {
  return Guarded("kv_ingest", [&] {
    if (int rc = CheckDb("kv_ingest", db); rc != KV_OK) return rc;
    if ((flags & ~KV_INGEST_MOVE) != 0) {
      return Fail(KV_INVALID_ARGUMENT,
                  "kv_ingest: unknown flags 0x" + [&] {
                    char hex[16];
                    std::snprintf(hex, sizeof(hex), "%x", flags & ~KV_INGEST_MOVE);
                    return std::string(hex);
                  }());
    }
    if (n > 0 && paths == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_ingest: paths is NULL");
    std::vector<std::string> files;
    files.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (paths[i] == nullptr || paths[i][0] == '\0') {
        return Fail(KV_INVALID_ARGUMENT,
                    "kv_ingest: paths[" + std::to_string(i) + "] is NULL or empty");
      }
      files.emplace_back(paths[i]);
    }
    DbCallGuard guard(db);
    if (!guard.ok()) return ClosedError("kv_ingest");
    return FromStatus(db->db->Ingest(files, (flags & KV_INGEST_MOVE) != 0));
  });
}

}  // extern "C"
