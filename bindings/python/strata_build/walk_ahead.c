/* walk_ahead.c — compiled into the cffi extension (ffi_builder.py): glue of
 * the Python binding, no engine logic, only kv.h calls.
 *
 * Why: a Python `for key, value in db.items()` would otherwise cross from
 * Python into C once per entry, and the fixed cost of that crossing (argument
 * conversion, releasing and retaking the GIL, reading four out parameters)
 * is several times the cost of kv_iter_next itself. strata_walk_ahead makes
 * up to `max` moves in one crossing and copies the entries into one buffer
 * that Python then slices. An iterator reads a fixed snapshot, so reading
 * ahead changes nothing the caller can see; the explicit cursor
 * (Iterator.next/prev/seek) does not use this, since it must stay where it
 * was moved.
 */
#include <string.h>

#include "strata/kv.h"

/* Moves for strata_walk_ahead. */
#define STRATA_MOVE_NEXT 0
#define STRATA_MOVE_PREV 1
#define STRATA_MOVE_LAST 2

/* What to copy of each entry. */
#define STRATA_WANT_KEY 1
#define STRATA_WANT_VALUE 2

static int strata_move(kv_iter *it, int move, const void **k, size_t *kl, const void **v,
                       size_t *vl) {
  switch (move) {
    case STRATA_MOVE_PREV: return kv_iter_prev(it, k, kl, v, vl);
    case STRATA_MOVE_LAST: return kv_iter_last(it, k, kl, v, vl);
    default: return kv_iter_next(it, k, kl, v, vl);
  }
}

/* Makes up to `max` moves on `it` (`first_move` for the first, `then_move`
 * after), copying each entry's key and/or value (per `want`) into `buf`
 * (capacity `cap`) back to back, and their lengths into lens[2i], lens[2i+1]
 * (0 for what is not wanted). Sets *count to the entries copied and *used to
 * the bytes used.
 *
 * Returns the status of the last move:
 *   KV_OK with *pending == 0: `max` entries were copied;
 *   KV_OK with *pending == 1: the last entry reached did not fit in the
 *     buffer; it is not counted and is left in *pk/*pkl/*pv/*pvl, valid
 *     until the next call on the iterator, for the caller to copy;
 *   KV_END: the walk is over (the entries before it were copied);
 *   an error from the iterator (the entries before it were copied).
 * Thread safety: as kv_iter, one thread at a time. */
static int strata_walk_ahead(kv_iter *it, int first_move, int then_move, int want,
                             char *buf, size_t cap, size_t *lens, size_t max,
                             size_t *count, size_t *used, int *pending,
                             const void **pk, size_t *pkl, const void **pv, size_t *pvl) {
  size_t n = 0, off = 0;
  int rc = KV_OK;
  *pending = 0;
  while (n < max) {
    rc = strata_move(it, n == 0 ? first_move : then_move, pk, pkl, pv, pvl);
    if (rc != KV_OK) break;
    size_t kl = (want & STRATA_WANT_KEY) ? *pkl : 0;
    size_t vl = (want & STRATA_WANT_VALUE) ? *pvl : 0;
    if (kl + vl > cap - off) {
      *pending = 1;
      break;
    }
    if (kl) memcpy(buf + off, *pk, kl);
    off += kl;
    if (vl) memcpy(buf + off, *pv, vl);
    off += vl;
    lens[2 * n] = kl;
    lens[2 * n + 1] = vl;
    n++;
  }
  *count = n;
  *used = off;
  return rc;
}
