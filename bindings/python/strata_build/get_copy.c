/* get_copy.c — compiled into the cffi extension (ffi_builder.py): glue of
 * the Python binding, no engine logic, only kv.h calls.
 *
 * Why: a Python get would otherwise cross into C twice per lookup, kv_get
 * and then kv_free, and each crossing releases and retakes the GIL, which
 * costs about as much as a lookup of a cached key. strata_get_copy does both
 * in one crossing, copying a value that fits into a buffer the binding keeps
 * per thread. Its shape is also chosen for cffi's cost per call: cffi's
 * wrappers take their arguments as a tuple and convert each one (about
 * 20-25 ns per argument), so the output goes through one struct pointer, and
 * the value's length or the status comes back as the return value rather than
 * through an out parameter that Python would then have to read.
 * strata_contains is the same lookup for `key in db`, without the copy.
 */
#include <stdint.h>
#include <string.h>

#include "strata/kv.h"

/* What strata_get_copy returns for an absent key: below every status code. */
#define STRATA_ABSENT INT64_MIN

/* Where strata_get_copy puts a value. One per thread (a call cannot re-enter
 * itself on one thread), so no allocation per call. */
typedef struct strata_value_out {
  char *buf;  /* values of at most `cap` bytes are copied here */
  size_t cap;
  void *big;  /* a larger value: the library's buffer, for the caller to copy
                 and kv_free; NULL otherwise */
} strata_value_out;

/* kv_get (snap NULL) or kv_get_at. Returns the value's length (>= 0) when the
 * key is present: a value of at most out->cap bytes is then in out->buf (the
 * library's buffer already freed), a larger one in out->big. Returns
 * STRATA_ABSENT when the key is absent, and kv_get's (negative) status on an
 * error, leaving its message for kv_last_error(). */
static int64_t strata_get_value(kv_db *db, const kv_snapshot *snap, const char *key,
                                size_t key_len, strata_value_out *out) {
  void *val = NULL;
  size_t n = 0;
  int rc = snap == NULL ? kv_get(db, key, key_len, &val, &n)
                        : kv_get_at(db, snap, key, key_len, &val, &n);
  out->big = NULL;
  if (rc == KV_NOT_FOUND) return STRATA_ABSENT;
  if (rc != KV_OK) return rc;
  if (n <= out->cap) {
    memcpy(out->buf, val, n);
    kv_free(val);
  } else {
    out->big = val;
  }
  return (int64_t)n;
}

/* strata_get_value of the latest state (4 arguments: one fewer to convert). */
static int64_t strata_get_copy(kv_db *db, const char *key, size_t key_len,
                               strata_value_out *out) {
  return strata_get_value(db, NULL, key, key_len, out);
}

/* strata_get_value as of `snap`. */
static int64_t strata_get_copy_at(kv_db *db, const kv_snapshot *snap, const char *key,
                                  size_t key_len, strata_value_out *out) {
  return strata_get_value(db, snap, key, key_len, out);
}

/* Whether `key` is present (KV_OK), absent (KV_NOT_FOUND) or an error, as of
 * `snap` (NULL: the latest state). The value is freed without a copy. */
static int strata_contains(kv_db *db, const kv_snapshot *snap, const char *key,
                           size_t key_len) {
  void *val = NULL;
  size_t n = 0;
  int rc = snap == NULL ? kv_get(db, key, key_len, &val, &n)
                        : kv_get_at(db, snap, key, key_len, &val, &n);
  if (rc == KV_OK) kv_free(val);
  return rc;
}
