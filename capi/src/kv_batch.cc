// kv.h: write batches.
#include "capi/src/capi_util.h"

using namespace strata::capi;

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
    if (b->batch.ByteSize() + key_len + val_len > KV_MAX_VALUE_LEN * 2ull) {
      return Fail(KV_INVALID_ARGUMENT, "kv_batch_put: the batch would exceed 2 GiB");
    }
    b->batch.Put(Bytes(key, key_len), Bytes(val, val_len));
    return KV_OK;
  });
}

int kv_batch_delete(kv_batch* b, const void* key, size_t key_len) {
  return Guarded("kv_batch_delete", [&] {
    if (int rc = CheckBatch("kv_batch_delete", b); rc != KV_OK) return rc;
    if (int rc = CheckKey("kv_batch_delete", key, key_len); rc != KV_OK) return rc;
    b->batch.Delete(Bytes(key, key_len));
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
