// kv.h: the options object.
#include "capi/src/capi_util.h"

using namespace strata::capi;

extern "C" {

kv_options* kv_options_new(void) {
  try {
    return new kv_options();
  } catch (...) {
    LastError() = "kv_options_new: out of memory";
    return nullptr;
  }
}

int kv_options_set(kv_options* o, const char* name, const char* value) {
  return Guarded("kv_options_set", [&] {
    if (o == nullptr || o->magic != kOptionsMagic) {
      return Fail(KV_INVALID_ARGUMENT, "kv_options_set: options is NULL or not a kv_options");
    }
    if (name == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_options_set: name is NULL");
    if (value == nullptr) {
      return Fail(KV_INVALID_ARGUMENT,
                  std::string("kv_options_set: value for '") + name + "' is NULL");
    }
    return FromStatus(o->options.Set(name, value));
  });
}

int kv_options_get(const kv_options* o, const char* name, char** value) {
  return Guarded("kv_options_get", [&] {
    if (value != nullptr) *value = nullptr;
    if (o == nullptr || o->magic != kOptionsMagic) {
      return Fail(KV_INVALID_ARGUMENT, "kv_options_get: options is NULL or not a kv_options");
    }
    if (name == nullptr || value == nullptr) {
      return Fail(KV_INVALID_ARGUMENT, "kv_options_get: name or value is NULL");
    }
    std::string text;
    int rc = FromStatus(o->options.Get(name, &text));
    if (rc == KV_OK) *value = CopyOutString(text);
    return rc;
  });
}

void kv_options_free(kv_options* o) {
  if (o == nullptr || o->magic != kOptionsMagic) return;
  o->magic = kFreedMagic;
  delete o;
}

}  // extern "C"
