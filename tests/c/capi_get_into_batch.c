/*
 * capi_get_into_batch [PARENT_DIR] — the two calls of issue 16 through the
 * public header only, compiled as C:
 *   kv_get_into / kv_get_into_at: exact fit, too small (nothing copied, the
 *   size reported), a size query with NULL and 0, an empty value, an absent
 *   key, a snapshot, values in the memtable and in tables, bad arguments;
 *   kv_iter_next_batch: batches of one entry, max_bytes below one entry,
 *   a scan over many batches equal to kv_iter_next's sequence, after a seek,
 *   at the end, with a snapshot and a prefix, mixed with kv_iter_next and
 *   kv_iter_prev, bad arguments.
 * Prints "N passed, N failed"; exits non-zero on failure.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include "test_util.h"

static char g_root[4096];

static kv_db *open_db(const char *path) { return tu_open_small_memtable(path); }

static void key_of(char *buf, int i) { snprintf(buf, 16, "k%05d", i); }

/* Value i: i % 50 bytes (so some are empty), each byte from i. */
static size_t value_of(char *buf, int i) {
  size_t n = (size_t)(i % 50);
  for (size_t j = 0; j < n; ++j) buf[j] = (char)('a' + (i + (int)j) % 26);
  return n;
}

static void test_get_into(kv_db *db) {
  char buf[64];
  size_t vlen = 99;
  const char *big = "0123456789";

  CHECK_OK(kv_put(db, "ten", 3, big, 10));
  CHECK_OK(kv_put(db, "empty", 5, "", 0));

  /* Exact size. */
  memset(buf, '#', sizeof buf);
  CHECK_OK(kv_get_into(db, "ten", 3, buf, 10, &vlen));
  CHECK(vlen == 10 && memcmp(buf, big, 10) == 0 && buf[10] == '#');

  /* Too small by one: nothing copied, the size needed reported. */
  memset(buf, '#', sizeof buf);
  vlen = 0;
  CHECK_STATUS(kv_get_into(db, "ten", 3, buf, 9, &vlen), KV_BUFFER_TOO_SMALL);
  CHECK(vlen == 10);
  CHECK(buf[0] == '#' && buf[8] == '#');
  CHECK(strcmp(kv_status_name(KV_BUFFER_TOO_SMALL), "KV_BUFFER_TOO_SMALL") == 0);

  /* A size query: NULL buffer, cap 0. */
  vlen = 0;
  CHECK_STATUS(kv_get_into(db, "ten", 3, NULL, 0, &vlen), KV_BUFFER_TOO_SMALL);
  CHECK(vlen == 10);

  /* Larger buffer. */
  CHECK_OK(kv_get_into(db, "ten", 3, buf, sizeof buf, &vlen));
  CHECK(vlen == 10 && memcmp(buf, big, 10) == 0);

  /* An empty value fits any buffer, NULL with cap 0 included. */
  vlen = 99;
  CHECK_OK(kv_get_into(db, "empty", 5, NULL, 0, &vlen));
  CHECK(vlen == 0);
  vlen = 99;
  CHECK_OK(kv_get_into(db, "empty", 5, buf, sizeof buf, &vlen));
  CHECK(vlen == 0);

  /* Absent. */
  vlen = 99;
  CHECK_STATUS(kv_get_into(db, "absent", 6, buf, sizeof buf, &vlen), KV_NOT_FOUND);
  CHECK(vlen == 0);
  vlen = 99;
  CHECK_STATUS(kv_get_into(db, "absent", 6, NULL, 0, &vlen), KV_NOT_FOUND);
  CHECK(vlen == 0);

  /* Bad arguments, each refused without stopping the database. */
  vlen = 99;
  CHECK_STATUS(kv_get_into(NULL, "ten", 3, buf, sizeof buf, &vlen), KV_INVALID_ARGUMENT);
  CHECK(vlen == 0);
  CHECK_STATUS(kv_get_into(db, "ten", 3, buf, sizeof buf, NULL), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_get_into(db, "ten", 3, NULL, 10, &vlen), KV_INVALID_ARGUMENT);
  CHECK(strstr(kv_last_error(), "buf") != NULL);
  CHECK_STATUS(kv_get_into(db, NULL, 3, buf, sizeof buf, &vlen), KV_INVALID_ARGUMENT);
  {
    size_t long_len = KV_MAX_KEY_LEN + 1;
    char *long_key = calloc(1, long_len);
    CHECK_STATUS(kv_get_into(db, long_key, long_len, buf, sizeof buf, &vlen),
                 KV_INVALID_ARGUMENT);
    free(long_key);
  }
  CHECK_OK(kv_get_into(db, "ten", 3, buf, sizeof buf, &vlen));

  /* A snapshot: the value as of then, and its size when too small. */
  kv_snapshot *snap = NULL;
  CHECK_OK(kv_snapshot_new(db, &snap));
  CHECK_OK(kv_put(db, "ten", 3, "xy", 2));
  CHECK_OK(kv_get_into_at(db, snap, "ten", 3, buf, sizeof buf, &vlen));
  CHECK(vlen == 10 && memcmp(buf, big, 10) == 0);
  CHECK_STATUS(kv_get_into_at(db, snap, "ten", 3, buf, 3, &vlen), KV_BUFFER_TOO_SMALL);
  CHECK(vlen == 10);
  CHECK_OK(kv_get_into_at(db, NULL, "ten", 3, buf, sizeof buf, &vlen));
  CHECK(vlen == 2 && memcmp(buf, "xy", 2) == 0);
  CHECK_OK(kv_get_into(db, "ten", 3, buf, sizeof buf, &vlen));
  CHECK(vlen == 2 && memcmp(buf, "xy", 2) == 0);
  CHECK_OK(kv_delete(db, "ten", 3));
  CHECK_STATUS(kv_get_into(db, "ten", 3, buf, sizeof buf, &vlen), KV_NOT_FOUND);
  CHECK_OK(kv_get_into_at(db, snap, "ten", 3, buf, sizeof buf, &vlen));
  CHECK(vlen == 10);
  kv_snapshot_free(snap);

  /* From a table rather than the memtable, agreeing with kv_get. */
  CHECK_OK(kv_flush(db));
  char want[64];
  for (int i = 0; i < 300; i += 7) {
    char k[16];
    key_of(k, i);
    size_t wl = value_of(want, i);
    void *v = NULL;
    size_t gl = 0;
    CHECK_OK(kv_get(db, k, strlen(k), &v, &gl));
    CHECK(gl == wl && memcmp(v, want, wl) == 0);
    kv_free(v);
    memset(buf, 0, sizeof buf);
    CHECK_OK(kv_get_into(db, k, strlen(k), buf, sizeof buf, &vlen));
    CHECK(vlen == wl && memcmp(buf, want, wl) == 0);
    if (wl > 0) {
      CHECK_STATUS(kv_get_into(db, k, strlen(k), buf, wl - 1, &vlen), KV_BUFFER_TOO_SMALL);
      CHECK(vlen == wl);
    }
  }
  CHECK_STATUS(kv_get_into(db, "empty", 5, NULL, 0, &vlen), KV_OK);
}

/* The whole range through kv_iter_next, as reference: keys and values packed
 * like a batch, and the entry count. */
typedef struct {
  char *data;
  size_t *lens;
  size_t n, bytes;
} seq;

static seq collect_next(kv_iter *it) {
  seq s = {malloc(1 << 20), malloc(sizeof(size_t) * 20000), 0, 0};
  const void *k, *v;
  size_t kl, vl;
  while (kv_iter_next(it, &k, &kl, &v, &vl) == KV_OK) {
    memcpy(s.data + s.bytes, k, kl);
    memcpy(s.data + s.bytes + kl, v, vl);
    s.bytes += kl + vl;
    s.lens[2 * s.n] = kl;
    s.lens[2 * s.n + 1] = vl;
    s.n++;
  }
  return s;
}

/* The rest of the range through kv_iter_next_batch. *batches counts the
 * calls that returned entries; every batch is checked against the limits. */
static seq collect_batches(kv_iter *it, size_t max_entries, size_t max_bytes, int *batches) {
  seq s = {malloc(1 << 20), malloc(sizeof(size_t) * 20000), 0, 0};
  size_t count;
  const void *data;
  const size_t *lens;
  int rc;
  *batches = 0;
  while ((rc = kv_iter_next_batch(it, max_entries, max_bytes, &count, &data, &lens)) == KV_OK) {
    size_t bytes = 0, last = 0;
    CHECK(count >= 1 && count <= max_entries);
    for (size_t i = 0; i < count; ++i) {
      last = lens[2 * i] + lens[2 * i + 1];
      bytes += last;
      s.lens[2 * s.n] = lens[2 * i];
      s.lens[2 * s.n + 1] = lens[2 * i + 1];
      s.n++;
    }
    /* Only the last entry may take the batch to or over max_bytes. */
    CHECK(count == 1 || bytes - last < max_bytes);
    memcpy(s.data + s.bytes, data, bytes);
    s.bytes += bytes;
    (*batches)++;
  }
  CHECK_STATUS(rc, KV_END);
  CHECK(count == 0 && data == NULL && lens == NULL);
  /* And it stays at the end. */
  CHECK_STATUS(kv_iter_next_batch(it, max_entries, max_bytes, &count, &data, &lens), KV_END);
  return s;
}

static int same(seq a, seq b) {
  return a.n == b.n && a.bytes == b.bytes && memcmp(a.data, b.data, a.bytes) == 0 &&
         memcmp(a.lens, b.lens, sizeof(size_t) * 2 * a.n) == 0;
}

static void seq_free(seq s) {
  free(s.data);
  free(s.lens);
}

static void compare_scan(kv_db *db, const kv_snapshot *snap, size_t max_entries,
                         size_t max_bytes, int min_batches) {
  kv_iter *a = NULL, *b = NULL;
  CHECK_OK(kv_iter_new_at(db, snap, NULL, 0, NULL, 0, &a));
  CHECK_OK(kv_iter_new_at(db, snap, NULL, 0, NULL, 0, &b));
  int batches = 0;
  seq want = collect_next(a);
  seq got = collect_batches(b, max_entries, max_bytes, &batches);
  CHECK(want.n > 0);
  CHECK(same(want, got));
  /* min_batches < 0: exactly one batch per entry. */
  int batches_ok = min_batches < 0 ? (size_t)batches == want.n : batches >= min_batches;
  CHECK(batches_ok);
  if (!same(want, got) || !batches_ok) {
    fprintf(stderr, "  max_entries %zu max_bytes %zu: %zu vs %zu entries, %d batches\n",
            max_entries, max_bytes, want.n, got.n, batches);
  }
  seq_free(want);
  seq_free(got);
  kv_iter_free(a);
  kv_iter_free(b);
}

static void test_batches(kv_db *db) {
  char k[16], v[64];
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    key_of(k, i);
    CHECK_OK(kv_put(db, k, strlen(k), v, value_of(v, i)));
  }
  /* Some in tables, some overwritten in the memtable, some deleted. */
  CHECK_OK(kv_flush(db));
  kv_snapshot *snap = NULL;
  CHECK_OK(kv_snapshot_new(db, &snap));
  for (int i = 0; i < n; i += 10) {
    key_of(k, i);
    CHECK_OK(kv_put(db, k, strlen(k), "new", 3));
  }
  for (int i = 5; i < n; i += 10) {
    key_of(k, i);
    CHECK_OK(kv_delete(db, k, strlen(k)));
  }

  /* Many shapes of batch, each equal to kv_iter_next's sequence. */
  compare_scan(db, NULL, 1, (size_t)-1, -1);                  /* one entry each */
  compare_scan(db, NULL, 1000, 0, -1);                        /* max_bytes 0: one each */
  compare_scan(db, NULL, 1000, 3, -1);                        /* below one entry */
  compare_scan(db, NULL, 7, (size_t)-1, 300);                 /* by count */
  compare_scan(db, NULL, 100000, 4096, 10);                   /* by bytes */
  compare_scan(db, NULL, 100000, (size_t)-1, 1);              /* all in one */
  compare_scan(db, snap, 64, 1000, 10);                       /* as of a snapshot */

  /* The snapshot's scan differs from the latest one: it sees the deleted keys. */
  {
    kv_iter *a = NULL, *b = NULL;
    CHECK_OK(kv_iter_new_at(db, snap, NULL, 0, NULL, 0, &a));
    CHECK_OK(kv_iter_new(db, NULL, 0, NULL, 0, &b));
    int batches;
    seq old = collect_batches(a, 100, 1 << 16, &batches);
    seq now = collect_batches(b, 100, 1 << 16, &batches);
    /* Both hold "empty" too (written by test_get_into). */
    CHECK(old.n == (size_t)n + 1);
    CHECK(now.n == (size_t)(n - n / 10) + 1);
    seq_free(old);
    seq_free(now);
    kv_iter_free(a);
    kv_iter_free(b);
  }

  size_t count;
  const void *data;
  const size_t *lens;
  const void *ik, *iv;
  size_t ikl, ivl;

  /* After a seek: the batch starts with the entry after the seek's. */
  {
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(db, NULL, 0, NULL, 0, &it));
    CHECK_OK(kv_iter_seek(it, "k01000", 6, &ik, &ikl, &iv, &ivl));
    CHECK(ikl == 6 && memcmp(ik, "k01000", 6) == 0);
    CHECK_OK(kv_iter_next_batch(it, 3, (size_t)-1, &count, &data, &lens));
    CHECK(count == 3);
    CHECK(lens[0] == 6 && memcmp(data, "k01001", 6) == 0);
    char want[64];
    size_t wl = value_of(want, 1001);
    CHECK(lens[1] == wl && memcmp((const char *)data + 6, want, wl) == 0);
    const char *third = (const char *)data + lens[0] + lens[1] + lens[2] + lens[3];
    CHECK(lens[4] == 6 && memcmp(third, "k01003", 6) == 0); /* k01005 is deleted */
    /* The cursor is at the batch's last entry. */
    CHECK_OK(kv_iter_next(it, &ik, &ikl, &iv, &ivl));
    CHECK(ikl == 6 && memcmp(ik, "k01004", 6) == 0);
    CHECK_OK(kv_iter_prev(it, &ik, &ikl, &iv, &ivl));
    CHECK(ikl == 6 && memcmp(ik, "k01003", 6) == 0);
    CHECK_OK(kv_iter_prev(it, &ik, &ikl, &iv, &ivl));
    CHECK(ikl == 6 && memcmp(ik, "k01002", 6) == 0);
    /* A batch after a prev goes forward from there. */
    CHECK_OK(kv_iter_next_batch(it, 2, (size_t)-1, &count, &data, &lens));
    CHECK(count == 2 && memcmp(data, "k01003", 6) == 0);
    /* Seek past the end, then a batch: KV_END. */
    CHECK_STATUS(kv_iter_seek(it, "z", 1, &ik, &ikl, &iv, &ivl), KV_END);
    CHECK_STATUS(kv_iter_next_batch(it, 10, 100, &count, &data, &lens), KV_END);
    CHECK(count == 0);
    /* Last, then a batch: the range is over. */
    CHECK_OK(kv_iter_last(it, &ik, &ikl, &iv, &ivl));
    CHECK_STATUS(kv_iter_next_batch(it, 10, 100, &count, &data, &lens), KV_END);
    /* A batch that ends with the range leaves the cursor after the last:
     * prev gives the batch's last entry. */
    CHECK_OK(kv_iter_seek(it, "k02990", 6, &ik, &ikl, &iv, &ivl));
    CHECK_OK(kv_iter_next_batch(it, 100, (size_t)-1, &count, &data, &lens));
    CHECK(count == 8); /* k02991..k02999 without k02995 */
    CHECK_STATUS(kv_iter_next(it, &ik, &ikl, &iv, &ivl), KV_END);
    CHECK_OK(kv_iter_prev(it, &ik, &ikl, &iv, &ivl));
    CHECK(ikl == 6 && memcmp(ik, "k02999", 6) == 0);
    kv_iter_free(it);
  }

  /* Bounds and prefixes. */
  {
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(db, "k00100", 6, "k00200", 6, &it));
    int batches;
    seq s = collect_batches(it, 16, (size_t)-1, &batches);
    CHECK(s.n == 90 && batches == 6); /* 100 keys less the 10 deleted */
    CHECK(memcmp(s.data, "k00100", 6) == 0);
    seq_free(s);
    kv_iter_free(it);
    CHECK_OK(kv_iter_new_prefix(db, NULL, "k0012", 5, &it));
    s = collect_batches(it, 1000, (size_t)-1, &batches);
    CHECK(s.n == 9 && batches == 1);
    seq_free(s);
    kv_iter_free(it);
  }

  /* Empty keys and values still get a non-NULL data pointer. */
  {
    CHECK_OK(kv_put(db, "", 0, "", 0));
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(db, NULL, 0, "a", 1, &it));
    CHECK_OK(kv_iter_next_batch(it, 10, 10, &count, &data, &lens));
    CHECK(count == 1 && data != NULL && lens != NULL && lens[0] == 0 && lens[1] == 0);
    CHECK_STATUS(kv_iter_next_batch(it, 10, 10, &count, &data, &lens), KV_END);
    kv_iter_free(it);
  }

  /* Bad arguments: refused, the iterator unmoved and still usable. */
  {
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(db, NULL, 0, NULL, 0, &it));
    CHECK_OK(kv_iter_next(it, &ik, &ikl, &iv, &ivl));
    CHECK_STATUS(kv_iter_next_batch(it, 0, 100, &count, &data, &lens), KV_INVALID_ARGUMENT);
    CHECK(count == 0 && data == NULL && lens == NULL);
    CHECK(strstr(kv_last_error(), "max_entries") != NULL);
    CHECK_STATUS(kv_iter_next_batch(it, 1, 100, NULL, &data, &lens), KV_INVALID_ARGUMENT);
    CHECK_STATUS(kv_iter_next_batch(it, 1, 100, &count, NULL, &lens), KV_INVALID_ARGUMENT);
    CHECK_STATUS(kv_iter_next_batch(it, 1, 100, &count, &data, NULL), KV_INVALID_ARGUMENT);
    CHECK_STATUS(kv_iter_next_batch(NULL, 1, 100, &count, &data, &lens), KV_INVALID_ARGUMENT);
    CHECK_OK(kv_iter_next_batch(it, 1, 100, &count, &data, &lens));
    /* After "" comes "empty" (written by test_get_into). */
    CHECK(count == 1 && lens[0] == 5 && memcmp(data, "empty", 5) == 0);
    kv_iter_free(it);
  }
  kv_snapshot_free(snap);
}

int main(int argc, char **argv) {
  tu_make_temp_dir(argc > 1 ? argv[1] : NULL, "strata-capi-issue16", g_root, sizeof g_root);
  char path[4200];
  tu_join(path, sizeof path, g_root, "db");
  kv_db *db = open_db(path);
  {
    char k[16], v[64];
    for (int i = 0; i < 300; ++i) {
      key_of(k, i);
      CHECK_OK(kv_put(db, k, strlen(k), v, value_of(v, i)));
    }
  }
  test_get_into(db);
  test_batches(db);

  /* An iterator outlives kv_close and still gives batches; the closed
   * handle refuses kv_get_into. */
  kv_iter *it = NULL;
  CHECK_OK(kv_iter_new(db, NULL, 0, NULL, 0, &it));
  CHECK_OK(kv_close(db));
  size_t vlen = 0, count = 0;
  char buf[16];
  const void *data;
  const size_t *lens;
  CHECK_STATUS(kv_get_into(db, "k00001", 6, buf, sizeof buf, &vlen), KV_INVALID_ARGUMENT);
  CHECK_OK(kv_iter_next_batch(it, 5, (size_t)-1, &count, &data, &lens));
  CHECK(count == 5);
  kv_iter_free(it);

  int rc = tu_finish();
  if (rc == 0) tu_remove_tree(g_root);
  return rc;
}
