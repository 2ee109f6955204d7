/* walk_ahead.c — compiled into the cffi extension (ffi_builder.py): glue of
 * the Python binding, no engine logic, only kv.h calls.
 *
 * Why: a Python `for key, value in db.items()` would otherwise cross from
 * Python into C once per entry, and the fixed cost of that crossing (argument
 * conversion, releasing and retaking the GIL, reading four out parameters,
 * building the bytes and the tuple in Python code) is several times the cost
 * of kv_iter_next itself. strata_walk_ahead makes up to `max` moves in one
 * crossing and writes the entries into one buffer as a pickle (protocol 3
 * opcodes, a documented and stable format) of a list of `bytes` or of
 * `(bytes, bytes)` tuples, which Python's C unpickler turns into objects
 * without running Python code per entry. An iterator reads a fixed
 * snapshot, so reading ahead changes nothing the caller can see; the
 * explicit cursor (Iterator.next/prev/seek) does not use this, since it must
 * stay where it was moved. The pickle writer is pickle_out.c, compiled before
 * this file.
 */
#include <stdint.h>
#include <string.h>

#include "strata/kv.h"

/* Moves for strata_walk_ahead. */
#define STRATA_MOVE_NEXT 0
#define STRATA_MOVE_PREV 1
#define STRATA_MOVE_LAST 2

/* What to write of each entry: the key, the value, or a (key, value) tuple. */
#define STRATA_WANT_KEY 1
#define STRATA_WANT_VALUE 2

/* Bytes the pickle framing of one entry may add: two bytes objects of at most
 * PICKLE_BYTES_OVERHEAD opcode bytes each and one TUPLE2; plus MARK at the
 * start and LIST, STOP at the end of the buffer. The pickle writer is in
 * pickle_out.c. */
#define STRATA_ENTRY_OVERHEAD (2 * PICKLE_BYTES_OVERHEAD + 1)
#define STRATA_FRAME_OVERHEAD 3

static int strata_move(kv_iter *it, int move, const void **k, size_t *kl, const void **v,
                       size_t *vl) {
  switch (move) {
    case STRATA_MOVE_PREV: return kv_iter_prev(it, k, kl, v, vl);
    case STRATA_MOVE_LAST: return kv_iter_last(it, k, kl, v, vl);
    default: return kv_iter_next(it, k, kl, v, vl);
  }
}

/* Makes up to `max` moves on `it` (`first_move` for the first, `then_move`
 * after) and writes the entries reached (per `want`) into `buf` (capacity
 * `cap`, at least STRATA_FRAME_OVERHEAD + STRATA_ENTRY_OVERHEAD) as a pickle
 * of a list. Sets *count to the entries written and *used to the bytes
 * used; the pickle is complete whatever the return value.
 *
 * Returns the status of the last move:
 *   KV_OK with *pending == 0: `max` entries were written;
 *   KV_OK with *pending == 1: the last entry reached did not fit; it is not
 *     in the pickle but left in *pk/*pkl/*pv/*pvl, valid until the next call
 *     on the iterator, for the caller to copy;
 *   KV_END: the walk is over (the entries before it were written);
 *   an error from the iterator (the entries before it were written).
 * Thread safety: as kv_iter, one thread at a time. */
static int strata_walk_ahead(kv_iter *it, int first_move, int then_move, int want,
                             char *buf, size_t cap, size_t max, size_t *count, size_t *used,
                             int *pending, const void **pk, size_t *pkl, const void **pv,
                             size_t *pvl) {
  char *out = buf;
  char *limit = buf + cap - 2; /* room kept for LIST and STOP */
  size_t n = 0;
  int rc = KV_OK;
  *pending = 0;
  *out++ = PICKLE_MARK;
  while (n < max) {
    rc = strata_move(it, n == 0 ? first_move : then_move, pk, pkl, pv, pvl);
    if (rc != KV_OK) break;
    size_t kl = (want & STRATA_WANT_KEY) ? *pkl : 0;
    size_t vl = (want & STRATA_WANT_VALUE) ? *pvl : 0;
    if (kl + vl + STRATA_ENTRY_OVERHEAD > (size_t)(limit - out)) {
      *pending = 1;
      break;
    }
    if (want & STRATA_WANT_KEY) out = strata_pickle_bytes(out, *pk, kl);
    if (want & STRATA_WANT_VALUE) out = strata_pickle_bytes(out, *pv, vl);
    if (want == (STRATA_WANT_KEY | STRATA_WANT_VALUE)) *out++ = PICKLE_TUPLE2;
    n++;
  }
  *out++ = PICKLE_LIST;
  *out++ = PICKLE_STOP;
  *count = n;
  *used = (size_t)(out - buf);
  return rc;
}

/* ---- Forward walks in batches (kv_iter_next_batch) -------------------------
 * A forward walk takes its entries from kv_iter_next_batch: one call into
 * the library per batch instead of one kv_iter_next per entry, and the
 * entries come packed in one buffer that the pickle is written from. */

/* What strata_walk_batch reports besides its status. */
typedef struct strata_batch_out {
  size_t count;      /* entries in the batch */
  size_t used;       /* bytes of the pickle written, or needed (STRATA_NEEDS_ROOM) */
  const void *data;  /* the batch, as kv_iter_next_batch handed it out: valid */
  const size_t *lens; /* until the next call on the iterator */
} strata_batch_out;

/* strata_walk_batch's status when the pickle does not fit in the buffer:
 * above every kv.h status. */
#define STRATA_NEEDS_ROOM 1000

/* The bytes the pickle of b's entries (per `want`) takes. */
static size_t strata_batch_pickle_size(const strata_batch_out *b, int want) {
  size_t need = STRATA_FRAME_OVERHEAD + b->count * STRATA_ENTRY_OVERHEAD;
  for (size_t i = 0; i < b->count; ++i) {
    if (want & STRATA_WANT_KEY) need += b->lens[2 * i];
    if (want & STRATA_WANT_VALUE) need += b->lens[2 * i + 1];
  }
  return need;
}

/* Writes the pickle of b's entries (per `want`) into buf, which holds at
 * least strata_batch_pickle_size bytes, and sets b->used. */
static void strata_pickle_batch(strata_batch_out *b, int want, char *buf) {
  const char *p = (const char *)b->data;
  char *out = buf;
  *out++ = PICKLE_MARK;
  for (size_t i = 0; i < b->count; ++i) {
    size_t kl = b->lens[2 * i], vl = b->lens[2 * i + 1];
    if (want & STRATA_WANT_KEY) out = strata_pickle_bytes(out, p, kl);
    if (want & STRATA_WANT_VALUE) out = strata_pickle_bytes(out, p + kl, vl);
    if (want == (STRATA_WANT_KEY | STRATA_WANT_VALUE)) *out++ = PICKLE_TUPLE2;
    p += kl + vl;
  }
  *out++ = PICKLE_LIST;
  *out++ = PICKLE_STOP;
  b->used = (size_t)(out - buf);
}

/* One kv_iter_next_batch of at most max_entries entries and about max_bytes
 * bytes, written into buf (capacity cap) as a pickle of a list (per `want`).
 * Returns KV_OK (the pickle is in buf, out->used bytes), KV_END or an error
 * (no entries, nothing written), or STRATA_NEEDS_ROOM: the batch was read but
 * its pickle needs out->used bytes, more than cap; the caller then makes a
 * buffer that large and calls strata_pickle_batch(out, want, buffer) before
 * its next call on the iterator. Thread safety: as kv_iter. */
static int strata_walk_batch(kv_iter *it, int want, char *buf, size_t cap, size_t max_entries,
                             size_t max_bytes, strata_batch_out *out) {
  out->used = 0;
  int rc = kv_iter_next_batch(it, max_entries, max_bytes, &out->count, &out->data, &out->lens);
  if (rc != KV_OK) return rc;
  size_t need = strata_batch_pickle_size(out, want);
  if (need > cap) {
    out->used = need;
    return STRATA_NEEDS_ROOM;
  }
  strata_pickle_batch(out, want, buf);
  return KV_OK;
}
