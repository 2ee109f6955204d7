/* get_copy.c — compiled into the cffi extension (ffi_builder.py): glue of
 * the Python binding, no engine logic, only kv.h calls.
 *
 * Why: a Python get is one crossing into C, and the value is copied from
 * the engine straight into a buffer the binding keeps per thread
 * (kv_get_into: no allocation, no kv_free). Its shape is also chosen for
 * cffi's cost per call: cffi's wrappers take their arguments as a tuple and
 * convert each one (about 20-25 ns per argument), so the buffer goes through
 * one struct pointer, and the value's length or the status comes back as the
 * return value rather than through an out parameter that Python would then
 * have to read. strata_contains is the same lookup for `key in db`, copying
 * nothing (a size query).
 */
#include <stdint.h>
#include <string.h>

#include "strata/kv.h"

/* What strata_get_copy returns for an absent key: below every status code. */
#define STRATA_ABSENT INT64_MIN

/* Where strata_get_copy puts a value. One per thread (a call cannot re-enter
 * itself on one thread), so no allocation per call; the binding grows it when
 * a value does not fit. */
typedef struct strata_value_out {
  char *buf; /* values of at most `cap` bytes are copied here */
  size_t cap;
} strata_value_out;

/* kv_get_into (snap NULL) or kv_get_into_at. Returns the value's length
 * (>= 0) when the key is present: at most out->cap, and the value is in
 * out->buf; or more than out->cap, and nothing was copied (the caller grows
 * the buffer and calls again). Returns STRATA_ABSENT when the key is absent,
 * and the (negative) status on an error, leaving its message for
 * kv_last_error(). */
static int64_t strata_get_value(kv_db *db, const kv_snapshot *snap, const char *key,
                                size_t key_len, strata_value_out *out) {
  size_t n = 0;
  int rc = snap == NULL ? kv_get_into(db, key, key_len, out->buf, out->cap, &n)
                        : kv_get_into_at(db, snap, key, key_len, out->buf, out->cap, &n);
  if (rc == KV_OK || rc == KV_BUFFER_TOO_SMALL) return (int64_t)n;
  if (rc == KV_NOT_FOUND) return STRATA_ABSENT;
  return rc;
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
 * `snap` (NULL: the latest state). Nothing is copied: a buffer of 0 bytes. */
static int strata_contains(kv_db *db, const kv_snapshot *snap, const char *key,
                           size_t key_len) {
  size_t n = 0;
  int rc = snap == NULL ? kv_get_into(db, key, key_len, NULL, 0, &n)
                        : kv_get_into_at(db, snap, key, key_len, NULL, 0, &n);
  return rc == KV_BUFFER_TOO_SMALL ? KV_OK : rc;
}
