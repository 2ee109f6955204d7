/* get_copy.c — compiled into the cffi extension (ffi_builder.py): glue of
 * the Python binding, no engine logic, only kv.h calls.
 *
 * Why: a Python get would otherwise cross into C twice per lookup, kv_get
 * and then kv_free, and each crossing releases and retakes the GIL, which
 * costs about as much as a cached lookup. strata_get_copy does both in one
 * crossing, copying a value that fits into a buffer the binding keeps per
 * thread.
 */
#include <string.h>

#include "strata/kv.h"

/* kv_get (snap NULL) or kv_get_at, then: on KV_OK, a value of at most `cap`
 * bytes is copied into `buf` and the library's buffer freed (*big = NULL);
 * a larger one is handed over in *big for the caller to copy and kv_free.
 * *len is the value's length (0 unless KV_OK). Returns kv_get's status; the
 * error message of a failure is left untouched for kv_last_error(). */
static int strata_get_copy(kv_db *db, const kv_snapshot *snap, const char *key,
                           size_t key_len, char *buf, size_t cap, size_t *len, void **big) {
  void *val = NULL;
  size_t n = 0;
  int rc = snap == NULL ? kv_get(db, key, key_len, &val, &n)
                        : kv_get_at(db, snap, key, key_len, &val, &n);
  *len = n;
  *big = NULL;
  if (rc != KV_OK) return rc;
  if (n <= cap) {
    memcpy(buf, val, n);
    kv_free(val);
  } else {
    *big = val;
  }
  return rc;
}
