/*
 * capi_extensions [PARENT_DIR] — the calls kv.h added in 0.2, tested through
 * the public header only, compiled as C: snapshots, the iterator cursor
 * moving both ways, prefix iterators, multi-get, per-call write flags,
 * checkpoints, verification, repair's argument checks and destroy.
 * Prints "N passed, N failed"; exits non-zero on failure.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <pthread.h>

#include "test_util.h"

static char g_root[4096];
static int g_db_counter = 0;

static void new_db_path(char *buf, size_t cap, const char *name) {
  char leaf[128];
  snprintf(leaf, sizeof leaf, "%s-%d", name, g_db_counter++);
  tu_join(buf, cap, g_root, leaf);
}

static kv_db *open_db(const char *path, const char *memtable_bytes) {
  kv_options *o = kv_options_new();
  if (memtable_bytes != NULL) kv_options_set(o, "memtable_bytes", memtable_bytes);
  kv_db *db = NULL;
  int rc = kv_open(path, o, &db);
  kv_options_free(o);
  if (rc != KV_OK) tu_die("open %s: %s: %s", path, kv_status_name(rc), kv_last_error());
  return db;
}

static void put_str(kv_db *db, const char *k, const char *v) {
  CHECK_OK(kv_put(db, k, strlen(k), v, strlen(v)));
}

/* True when the entry handed out is (k, v). */
static int entry_is(const void *key, size_t key_len, const void *val, size_t val_len,
                    const char *k, const char *v) {
  return key_len == strlen(k) && memcmp(key, k, key_len) == 0 && val_len == strlen(v) &&
         memcmp(val, v, val_len) == 0;
}

/* Runs a move and checks that it lands on key k (value "v-" k), or on
 * KV_END when k is NULL. */
#define MOVE_IS(call, k)                                                              \
  do {                                                                                \
    const void *mk_ = NULL, *mv_ = NULL;                                              \
    size_t mkl_ = 0, mvl_ = 0;                                                        \
    int mrc_ = (call);                                                                \
    if ((k) == NULL) {                                                                \
      CHECK_STATUS(mrc_, KV_END);                                                     \
    } else {                                                                          \
      char want_v_[64];                                                               \
      snprintf(want_v_, sizeof want_v_, "v-%s", (const char *)(k));                   \
      CHECK_STATUS(mrc_, KV_OK);                                                      \
      CHECK(mrc_ == KV_OK && entry_is(mk_, mkl_, mv_, mvl_, (k), want_v_));           \
    }                                                                                 \
  } while (0)
#define OUT &mk_, &mkl_, &mv_, &mvl_

static void test_cursor(void) {
  char path[4096];
  new_db_path(path, sizeof path, "cursor");
  kv_db *db = open_db(path, NULL);
  const char *keys[] = {"a", "b", "c", "d", "e"};
  for (int i = 0; i < 5; i++) {
    char v[16];
    snprintf(v, sizeof v, "v-%s", keys[i]);
    put_str(db, keys[i], v);
  }
  CHECK_OK(kv_delete(db, "c", 1));

  kv_iter *it = NULL;
  CHECK_OK(kv_iter_new(db, "b", 1, "e", 1, &it)); /* [b, e): b, d */
  /* A new iterator is before the first: prev from there is KV_END. */
  MOVE_IS(kv_iter_prev(it, OUT), NULL);
  MOVE_IS(kv_iter_next(it, OUT), "b");
  MOVE_IS(kv_iter_next(it, OUT), "d");
  MOVE_IS(kv_iter_next(it, OUT), NULL); /* now after the last */
  MOVE_IS(kv_iter_next(it, OUT), NULL); /* stays there */
  MOVE_IS(kv_iter_prev(it, OUT), "d");  /* back from after the last */
  MOVE_IS(kv_iter_prev(it, OUT), "b");
  MOVE_IS(kv_iter_prev(it, OUT), NULL); /* now before the first */
  MOVE_IS(kv_iter_next(it, OUT), "b");
  MOVE_IS(kv_iter_last(it, OUT), "d");
  MOVE_IS(kv_iter_first(it, OUT), "b");
  /* Seeks, clamped to the range. */
  MOVE_IS(kv_iter_seek(it, "c", 1, OUT), "d");
  MOVE_IS(kv_iter_seek(it, "a", 1, OUT), "b");
  MOVE_IS(kv_iter_seek(it, "e", 1, OUT), NULL);
  MOVE_IS(kv_iter_prev(it, OUT), "d"); /* the failed seek left it after the last */
  MOVE_IS(kv_iter_seek_for_prev(it, "c", 1, OUT), "b");
  MOVE_IS(kv_iter_seek_for_prev(it, "zz", 2, OUT), "d");
  MOVE_IS(kv_iter_seek_for_prev(it, "a", 1, OUT), NULL);
  MOVE_IS(kv_iter_next(it, OUT), "b"); /* it was left before the first */
  /* Out pointers may be NULL; bad targets are errors with a message. */
  CHECK_OK(kv_iter_seek(it, "d", 1, NULL, NULL, NULL, NULL));
  CHECK_STATUS(kv_iter_seek(it, NULL, 3, NULL, NULL, NULL, NULL), KV_INVALID_ARGUMENT);
  CHECK(strstr(kv_last_error(), "kv_iter_seek") != NULL);
  CHECK_STATUS(kv_iter_prev(NULL, NULL, NULL, NULL, NULL), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_iter_first(NULL, NULL, NULL, NULL, NULL), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_iter_seek_for_prev(NULL, "a", 1, NULL, NULL, NULL, NULL), KV_INVALID_ARGUMENT);
  kv_iter_free(it);

  /* The same across memtable, tables at several levels, with tombstones
   * and overwrites spread between them. */
  for (int i = 0; i < 5; i++) {
    char v[16];
    snprintf(v, sizeof v, "v-%s", keys[i]);
    put_str(db, keys[i], v);
  }
  CHECK_OK(kv_flush(db));
  CHECK_OK(kv_compact_range(db, NULL, 0, NULL, 0));
  CHECK_OK(kv_delete(db, "b", 1));
  CHECK_OK(kv_flush(db));
  CHECK_OK(kv_delete(db, "d", 1));
  CHECK_OK(kv_iter_new(db, NULL, 0, NULL, 0, &it)); /* a, c, e */
  MOVE_IS(kv_iter_last(it, OUT), "e");
  MOVE_IS(kv_iter_prev(it, OUT), "c");
  MOVE_IS(kv_iter_prev(it, OUT), "a");
  MOVE_IS(kv_iter_next(it, OUT), "c");
  MOVE_IS(kv_iter_seek_for_prev(it, "d", 1, OUT), "c");
  MOVE_IS(kv_iter_seek_for_prev(it, "b", 1, OUT), "a");
  MOVE_IS(kv_iter_next(it, OUT), "c");
  MOVE_IS(kv_iter_next(it, OUT), "e");
  MOVE_IS(kv_iter_next(it, OUT), NULL);
  kv_iter_free(it);
  CHECK_OK(kv_close(db));
}

/* Counts the keys a prefix iterator yields, checking each has the prefix. */
static int count_prefix(kv_db *db, const kv_snapshot *snap, const char *prefix, size_t len) {
  kv_iter *it = NULL;
  if (kv_iter_new_prefix(db, snap, prefix, len, &it) != KV_OK) return -1;
  int n = 0;
  const void *k;
  size_t kl;
  while (kv_iter_next(it, &k, &kl, NULL, NULL) == KV_OK) {
    /* memcmp's pointers must not be NULL even for 0 bytes (an empty key or
     * prefix may come as NULL). */
    if (kl < len || (len > 0 && memcmp(k, prefix, len) != 0)) n = -1000;
    n++;
  }
  kv_iter_free(it);
  return n;
}

static void test_prefix(void) {
  char path[4096];
  new_db_path(path, sizeof path, "prefix");
  kv_db *db = open_db(path, NULL);
  put_str(db, "app", "1");
  put_str(db, "apple", "2");
  put_str(db, "apricot", "3");
  put_str(db, "b", "4");
  CHECK_OK(kv_put(db, "a\xff", 2, "5", 1));
  CHECK_OK(kv_put(db, "a\xff\xff", 3, "6", 1));
  CHECK_OK(kv_put(db, "a\xff\xff\x01", 4, "7", 1));
  CHECK_OK(kv_put(db, "b\x00", 2, "8", 1));
  CHECK_OK(kv_put(db, "\xff\xff", 2, "9", 1));
  CHECK_OK(kv_put(db, "\xff\xff\xff", 3, "10", 2));

  CHECK(count_prefix(db, NULL, "app", 3) == 2);
  CHECK(count_prefix(db, NULL, "ap", 2) == 3);
  CHECK(count_prefix(db, NULL, "a", 1) == 6);
  CHECK(count_prefix(db, NULL, "a\xff", 2) == 3);     /* bound computed past 0xFF */
  CHECK(count_prefix(db, NULL, "a\xff\xff", 3) == 2);
  CHECK(count_prefix(db, NULL, "b", 1) == 2);
  CHECK(count_prefix(db, NULL, "\xff\xff", 2) == 2);  /* no upper bound exists */
  CHECK(count_prefix(db, NULL, "", 0) == 10);         /* everything */
  CHECK(count_prefix(db, NULL, NULL, 0) == 10);
  CHECK(count_prefix(db, NULL, "zz", 2) == 0);
  /* Backwards inside the prefix. */
  {
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new_prefix(db, NULL, "ap", 2, &it));
    const void *k = NULL;
    size_t kl = 0;
    CHECK_OK(kv_iter_last(it, &k, &kl, NULL, NULL));
    CHECK(kl == 7 && memcmp(k, "apricot", 7) == 0);
    kv_iter_free(it);
  }
  kv_iter *it = (kv_iter *)1;
  CHECK_STATUS(kv_iter_new_prefix(db, NULL, NULL, 3, &it), KV_INVALID_ARGUMENT);
  CHECK(it == NULL);
  CHECK_STATUS(kv_iter_new_prefix(NULL, NULL, "a", 1, &it), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_iter_new_prefix(db, NULL, "a", 1, NULL), KV_INVALID_ARGUMENT);
  CHECK_OK(kv_close(db));
}

static void test_snapshots(void) {
  char path[4096];
  new_db_path(path, sizeof path, "snap");
  kv_db *db = open_db(path, "64K");
  put_str(db, "k", "old");
  put_str(db, "gone", "here");
  kv_snapshot *snap = NULL;
  CHECK_OK(kv_snapshot_new(db, &snap));
  CHECK(snap != NULL && kv_snapshot_sequence(snap) >= 2);
  CHECK(kv_snapshot_sequence(NULL) == 0);
  put_str(db, "k", "new");
  CHECK_OK(kv_delete(db, "gone", 4));
  put_str(db, "later", "x");
  /* Push everything through tables and compaction: the snapshot must hold. */
  char big[1000];
  memset(big, 'z', sizeof big);
  for (int i = 0; i < 300; i++) {
    char key[32];
    snprintf(key, sizeof key, "fill-%04d", i);
    CHECK_OK(kv_put(db, key, strlen(key), big, sizeof big));
  }
  CHECK_OK(kv_flush(db));
  CHECK_OK(kv_compact_range(db, NULL, 0, NULL, 0));

  void *v = NULL;
  size_t vl = 0;
  CHECK_OK(kv_get_at(db, snap, "k", 1, &v, &vl));
  CHECK(vl == 3 && memcmp(v, "old", 3) == 0);
  kv_free(v);
  CHECK_OK(kv_get_at(db, snap, "gone", 4, &v, &vl));
  kv_free(v);
  CHECK_STATUS(kv_get_at(db, snap, "later", 5, &v, &vl), KV_NOT_FOUND);
  CHECK(v == NULL && vl == 0);
  CHECK_OK(kv_get_at(db, NULL, "k", 1, &v, &vl)); /* NULL: the latest state */
  CHECK(vl == 3 && memcmp(v, "new", 3) == 0);
  kv_free(v);

  kv_iter *it = NULL;
  CHECK_OK(kv_iter_new_at(db, snap, NULL, 0, NULL, 0, &it));
  int n = 0;
  while (kv_iter_next(it, NULL, NULL, NULL, NULL) == KV_OK) n++;
  CHECK(n == 2); /* gone, k */
  kv_iter_free(it);
  CHECK(count_prefix(db, snap, "fill-", 5) == 0);
  CHECK(count_prefix(db, NULL, "fill-", 5) == 300);

  /* A snapshot of another handle is refused. */
  char other_path[4096];
  new_db_path(other_path, sizeof other_path, "snap-other");
  kv_db *other = open_db(other_path, NULL);
  CHECK_STATUS(kv_get_at(other, snap, "k", 1, &v, &vl), KV_INVALID_ARGUMENT);
  CHECK(strstr(kv_last_error(), "another database") != NULL);
  CHECK_STATUS(kv_iter_new_at(other, snap, NULL, 0, NULL, 0, &it), KV_INVALID_ARGUMENT);
  CHECK_OK(kv_close(other));
  kv_snapshot *refused = (kv_snapshot *)1;
  CHECK_STATUS(kv_snapshot_new(NULL, &refused), KV_INVALID_ARGUMENT);
  CHECK(refused == NULL);
  CHECK_STATUS(kv_snapshot_new(db, NULL), KV_INVALID_ARGUMENT);

  /* Close with the snapshot alive, then free it: the engine shuts down and
   * the directory can be opened again. */
  CHECK_OK(kv_close(db));
  kv_snapshot_free(snap);
  kv_snapshot_free(NULL);
  db = open_db(path, NULL);
  CHECK_OK(kv_close(db));
}

static void test_multi_get(void) {
  char path[4096];
  new_db_path(path, sizeof path, "multi");
  kv_db *db = open_db(path, NULL);
  put_str(db, "one", "1");
  put_str(db, "three", "333");
  CHECK_OK(kv_put(db, "empty", 5, "", 0));
  CHECK_OK(kv_flush(db));
  put_str(db, "two", "22");

  /* Packed keys: "three" "missing" "one" "empty" "two" "one" */
  const char packed[] = "threemissingoneemptytwoone";
  size_t lens[6] = {5, 7, 3, 5, 3, 3};
  void *buffer = NULL;
  const void *vals[6];
  size_t val_lens[6];
  int statuses[6];
  CHECK_OK(kv_multi_get(db, NULL, 6, packed, lens, &buffer, vals, val_lens, statuses));
  CHECK(statuses[0] == KV_OK && val_lens[0] == 3 && memcmp(vals[0], "333", 3) == 0);
  CHECK(statuses[1] == KV_NOT_FOUND && vals[1] == NULL && val_lens[1] == 0);
  CHECK(statuses[2] == KV_OK && val_lens[2] == 1 && memcmp(vals[2], "1", 1) == 0);
  CHECK(statuses[3] == KV_OK && val_lens[3] == 0 && vals[3] != NULL);
  CHECK(statuses[4] == KV_OK && val_lens[4] == 2 && memcmp(vals[4], "22", 2) == 0);
  CHECK(statuses[5] == KV_OK && val_lens[5] == 1 && memcmp(vals[5], "1", 1) == 0);
  /* Values are laid out back to back in key order. */
  CHECK(buffer != NULL && memcmp(buffer, "3331" "22" "1", 7) == 0);
  kv_free(buffer);

  /* vals may be NULL; nothing found gives a NULL buffer; n = 0 is fine. */
  CHECK_OK(kv_multi_get(db, NULL, 1, "nope", (size_t[]){4}, &buffer, NULL, val_lens, statuses));
  CHECK(buffer == NULL && statuses[0] == KV_NOT_FOUND);
  CHECK_OK(kv_multi_get(db, NULL, 0, NULL, NULL, &buffer, NULL, NULL, NULL));
  CHECK(buffer == NULL);

  /* As of a snapshot. */
  kv_snapshot *snap = NULL;
  CHECK_OK(kv_snapshot_new(db, &snap));
  put_str(db, "one", "changed");
  CHECK_OK(kv_multi_get(db, snap, 1, "one", (size_t[]){3}, &buffer, vals, val_lens, statuses));
  CHECK(statuses[0] == KV_OK && val_lens[0] == 1 && memcmp(vals[0], "1", 1) == 0);
  kv_free(buffer);
  kv_snapshot_free(snap);

  /* Bad input. */
  CHECK_STATUS(kv_multi_get(db, NULL, 1, "x", (size_t[]){1}, NULL, NULL, val_lens, statuses),
               KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_multi_get(db, NULL, 1, "x", NULL, &buffer, NULL, val_lens, statuses),
               KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_multi_get(db, NULL, 1, NULL, (size_t[]){4}, &buffer, NULL, val_lens, statuses),
               KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_multi_get(db, NULL, 1, "x", (size_t[]){KV_MAX_KEY_LEN + 1}, &buffer, NULL,
                            val_lens, statuses),
               KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_multi_get(NULL, NULL, 0, NULL, NULL, &buffer, NULL, NULL, NULL),
               KV_INVALID_ARGUMENT);
  CHECK_OK(kv_close(db));
  CHECK_STATUS(kv_multi_get(db, NULL, 0, NULL, NULL, &buffer, NULL, NULL, NULL),
               KV_INVALID_ARGUMENT); /* closed */
}

static void test_write_flags(void) {
  char path[4096];
  new_db_path(path, sizeof path, "flags");
  kv_db *db = open_db(path, NULL);
  CHECK_OK(kv_put_ex(db, "a", 1, "1", 1, KV_WRITE_SYNC));
  CHECK_OK(kv_put_ex(db, "b", 1, "2", 1, 0));
  CHECK_OK(kv_delete_ex(db, "b", 1, KV_WRITE_SYNC));
  kv_batch *b = kv_batch_new();
  kv_batch_put(b, "c", 1, "3", 1);
  CHECK_OK(kv_write_ex(db, b, KV_WRITE_SYNC));
  CHECK_STATUS(kv_write_ex(db, b, 0x80), KV_INVALID_ARGUMENT);
  CHECK(strstr(kv_last_error(), "flags") != NULL);
  CHECK_STATUS(kv_put_ex(db, "a", 1, "1", 1, 2), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_delete_ex(db, "a", 1, ~0u), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_write_ex(db, NULL, 0), KV_INVALID_ARGUMENT);
  kv_batch_free(b);
  char *stats = NULL;
  CHECK_OK(kv_property(db, "stats", &stats));
  CHECK(stats != NULL && strstr(stats, "WAL syncs") != NULL);
  kv_free(stats);
  void *v = NULL;
  size_t vl = 0;
  CHECK_STATUS(kv_get(db, "b", 1, &v, &vl), KV_NOT_FOUND);
  CHECK_OK(kv_get(db, "c", 1, &v, &vl));
  kv_free(v);
  CHECK_OK(kv_close(db));
}

struct writer_args {
  kv_db *db;
  volatile int stop;
  int written;
};

static void *keep_writing(void *p) {
  struct writer_args *a = p;
  char key[32];
  while (!a->stop) {
    snprintf(key, sizeof key, "live-%08d", a->written);
    if (kv_put(a->db, key, strlen(key), "v", 1) != KV_OK) break;
    a->written++;
  }
  return NULL;
}

static void test_checkpoint_verify_destroy(void) {
  char path[4096], copy[4096];
  new_db_path(path, sizeof path, "ckpt");
  new_db_path(copy, sizeof copy, "ckpt-copy");
  kv_db *db = open_db(path, "128K");
  char val[200];
  memset(val, 'q', sizeof val);
  for (int i = 0; i < 3000; i++) {
    char key[32];
    snprintf(key, sizeof key, "base-%05d", i);
    CHECK_OK(kv_put(db, key, strlen(key), val, sizeof val));
  }
  /* Checkpoint while another thread writes. */
  struct writer_args args = {db, 0, 0};
  pthread_t t;
  pthread_create(&t, NULL, keep_writing, &args);
  while (args.written < 100) usleep(1000);
  int before = args.written;
  CHECK_OK(kv_checkpoint(db, copy));
  args.stop = 1;
  pthread_join(t, NULL);
  CHECK_STATUS(kv_checkpoint(db, copy), KV_INVALID_ARGUMENT); /* exists now */
  CHECK_STATUS(kv_checkpoint(db, NULL), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_checkpoint(db, ""), KV_INVALID_ARGUMENT);
  CHECK_OK(kv_verify(db));

  /* The copy opens on its own, holds everything written before the call,
   * and is independent of the original. */
  kv_db *c = open_db(copy, NULL);
  CHECK_OK(kv_verify(c));
  int base = 0, live = 0;
  kv_iter *it = NULL;
  CHECK_OK(kv_iter_new(c, NULL, 0, NULL, 0, &it));
  const void *k;
  size_t kl;
  while (kv_iter_next(it, &k, &kl, NULL, NULL) == KV_OK) {
    if (kl > 5 && memcmp(k, "base-", 5) == 0) base++;
    if (kl > 5 && memcmp(k, "live-", 5) == 0) live++;
  }
  kv_iter_free(it);
  CHECK(base == 3000);
  CHECK(live >= before && live <= args.written);
  put_str(c, "only-in-copy", "1");
  void *v = NULL;
  size_t vl;
  CHECK_STATUS(kv_get(db, "only-in-copy", 12, &v, &vl), KV_NOT_FOUND);

  /* Destroy refuses an open database, then removes it. */
  CHECK_STATUS(kv_destroy(copy), KV_BUSY);
  CHECK_OK(kv_close(c));
  CHECK_OK(kv_destroy(copy));
  struct stat st;
  CHECK(stat(copy, &st) != 0 && errno == ENOENT);
  CHECK_OK(kv_destroy(copy)); /* nothing there: fine */
  CHECK_STATUS(kv_destroy(NULL), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_destroy(""), KV_INVALID_ARGUMENT);

  /* Verify reports a damaged table that reads never touched. */
  CHECK_OK(kv_flush(db));
  CHECK_OK(kv_close(db));
  char table[4096];
  CHECK(tu_find_largest(path, ".sst", table, sizeof table) > 0);
  CHECK(tu_flip_byte(table, 100) == 0);
  kv_options *o = kv_options_new();
  kv_options_set(o, "block_cache_bytes", "0");
  CHECK_OK(kv_open(path, o, &db));
  kv_options_free(o);
  CHECK_STATUS(kv_verify(db), KV_CORRUPTION);
  CHECK(strstr(kv_last_error(), ".sst") != NULL);
  CHECK_STATUS(kv_verify(NULL), KV_INVALID_ARGUMENT);
  CHECK_OK(kv_close(db));
  CHECK_STATUS(kv_verify(db), KV_INVALID_ARGUMENT); /* closed */
  CHECK_OK(kv_destroy(path));

  /* Repair's argument checks (its behaviour is tested with the tool). */
  char *report = (char *)1;
  CHECK_STATUS(kv_repair(NULL, NULL, &report), KV_INVALID_ARGUMENT);
  CHECK(report == NULL);
}

int main(int argc, char **argv) {
  tu_make_temp_dir(argc > 1 ? argv[1] : NULL, "strata-capi-ext", g_root, sizeof g_root);
  test_cursor();
  test_prefix();
  test_snapshots();
  test_multi_get();
  test_write_flags();
  test_checkpoint_verify_destroy();
  int rc = tu_finish();
  if (rc == 0) tu_remove_tree(g_root);
  return rc;
}
