/* multi_get.c — compiled into the cffi extension (ffi_builder.py): glue of
 * the Python binding, no engine logic, only kv.h calls.
 *
 * Why: after kv_multi_get, building the result list from Python costs a few
 * cffi operations per key (read the status, read the length, copy the value
 * into a bytes object), several times what the lookup of a cached key costs.
 * strata_multi_get writes the values as a pickle of a list (bytes, or None
 * for an absent key; pickle_out.c) that Python's C unpickler turns into the
 * list at once, so no Python code runs per key.
 */
#include <stdlib.h>

#include "strata/kv.h"

/* kv_multi_get of n keys (packed back to back in `keys`, key i being
 * key_lens[i] bytes), as of `snap` (NULL: one moment taken for the call).
 * On KV_OK, *pickle receives a malloc'ed pickle of the list of values
 * (*pickle_len bytes), for the caller to release with strata_free; it is
 * NULL if that allocation failed (the caller reports out of memory). On an
 * error, the status of kv_multi_get (its message left for kv_last_error()),
 * and *pickle is NULL. */
static int strata_multi_get(kv_db *db, const kv_snapshot *snap, size_t n, const char *keys,
                            const size_t *key_lens, char **pickle, size_t *pickle_len) {
  *pickle = NULL;
  *pickle_len = 0;
  size_t *val_lens = malloc((n ? n : 1) * sizeof *val_lens);
  int *statuses = malloc((n ? n : 1) * sizeof *statuses);
  void *values = NULL;
  int rc = KV_NO_MEMORY;
  if (val_lens != NULL && statuses != NULL) {
    rc = kv_multi_get(db, snap, n, keys, key_lens, &values, NULL, val_lens, statuses);
  }
  if (rc == KV_OK) {
    size_t size = 3; /* MARK, LIST, STOP */
    for (size_t i = 0; i < n; i++) {
      size += statuses[i] == KV_OK ? val_lens[i] + PICKLE_BYTES_OVERHEAD : 1;
    }
    char *out = malloc(size);
    if (out != NULL) {
      char *p = out;
      const char *value = values;
      *p++ = PICKLE_MARK;
      for (size_t i = 0; i < n; i++) {
        if (statuses[i] == KV_OK) {
          p = strata_pickle_bytes(p, value, val_lens[i]);
          value += val_lens[i];
        } else {
          *p++ = PICKLE_NONE;
        }
      }
      *p++ = PICKLE_LIST;
      *p++ = PICKLE_STOP;
      *pickle = out;
      *pickle_len = (size_t)(p - out);
    }
  }
  kv_free(values);
  free(val_lens);
  free(statuses);
  return rc;
}

/* Releases what strata_multi_get allocated (NULL is fine). */
static void strata_free(void *p) { free(p); }
