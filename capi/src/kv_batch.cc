// kv.h: write batches.
#include "capi/src/capi_util.h"

using namespace strata::capi;

static_assert(KV_MAX_BATCH_BYTES == strata::kMaxWriteBatchBytes,
              "kv.h's batch limit is the engine's");

namespace {
int BatchFull(const char* where, const kv_batch* b) {
  return Fail(KV_INVALID_ARGUMENT,
              std::string(where) + ": the batch (" + std::to_string(b->batch.ByteSize()) +
                  " bytes) would exceed KV_MAX_BATCH_BYTES (" +
                  std::to_string(KV_MAX_BATCH_BYTES) + "); the entry was not added");
}
}  // namespace

extern "C" {

kv_batch* kv_batch_new(void) {
  try {
    return new kv_batch();
  } catch (...) {
    LastError() = "kv_batch_new: out of memory";
    return nullptr;
  }
}

int kv_batch_put(kv_batch* b, const void* key, size_t key_len, const void* val, size_t val_len) {
  return Guarded("kv_batch_put", [&] {
    if (int rc = CheckBatch("kv_batch_put", b); rc != KV_OK) return rc;
    if (int rc = CheckKey("kv_batch_put", key, key_len); rc != KV_OK) return rc;
    if (int rc = CheckValue("kv_batch_put", val, val_len); rc != KV_OK) return rc;
    if (b->batch.ByteSizeAfterPut(key_len, val_len) > KV_MAX_BATCH_BYTES) {
      return BatchFull("kv_batch_put", b);
    }
    b->batch.Put(Bytes(key, key_len), Bytes(val, val_len));
    return KV_OK;
  });
}

int kv_batch_delete(kv_batch* b, const void* key, size_t key_len) {
  return Guarded("kv_batch_delete", [&] {
    if (int rc = CheckBatch("kv_batch_delete", b); rc != KV_OK) return rc;
    if (int rc = CheckKey("kv_batch_delete", key, key_len); rc != KV_OK) return rc;
    if (b->batch.ByteSizeAfterDelete(key_len) > KV_MAX_BATCH_BYTES) {
      return BatchFull("kv_batch_delete", b);
    }
    b->batch.Delete(Bytes(key, key_len));
    return KV_OK;
  });
}

int kv_batch_delete_range(kv_batch* b, const void* start, size_t start_len, const void* end,
                          size_t end_len) {
  return Guarded("kv_batch_delete_range", [&] {
    if (int rc = CheckBatch("kv_batch_delete_range", b); rc != KV_OK) return rc;
    if (int rc = CheckKey("kv_batch_delete_range", start, start_len); rc != KV_OK) return rc;
    if (int rc = CheckKey("kv_batch_delete_range", end, end_len); rc != KV_OK) return rc;
    const std::string_view from = Bytes(start, start_len), to = Bytes(end, end_len);
    if (!(from < to)) return KV_OK;  // an empty or reversed range adds nothing
    if (b->batch.ByteSizeAfterDeleteRange(start_len, end_len) > KV_MAX_BATCH_BYTES) {
      return BatchFull("kv_batch_delete_range", b);
    }
    b->batch.DeleteRange(from, to);
    return KV_OK;
  });
}

void kv_batch_clear(kv_batch* b) {
  if (b == nullptr || b->magic != kBatchMagic) return;
  b->batch.Clear();
}

size_t kv_batch_count(const kv_batch* b) {
  if (b == nullptr || b->magic != kBatchMagic) return 0;
  return b->batch.Count();
}

void kv_batch_free(kv_batch* b) {
  if (b == nullptr || b->magic != kBatchMagic) return;
  b->magic = kFreedMagic;
  delete b;
}

}  // extern "C"
