/*
 * capi_range_delete [PARENT_DIR] — kv_delete_range and kv_batch_delete_range
 * (added in 0.3) through the public header only, compiled as C: what they
 * hide from gets, both iterator directions, multi-get and snapshots taken
 * before; a batch's order; empty and reversed ranges; argument checks; that
 * the deletion survives a flush, a reopen, a checkpoint and kv_compact_range,
 * which then drops the tombstone ("range-deletions" reaches 0).
 * Prints "N passed, N failed"; exits non-zero on failure.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include "test_util.h"

static char g_root[4096];

static kv_db *open_db(const char *path) { return tu_open_small_memtable(path); }

static void key_of(char *buf, int i) { snprintf(buf, 16, "k%05d", i); }

static void put_all(kv_db *db, int n) {
  char k[16];
  for (int i = 0; i < n; ++i) {
    key_of(k, i);
    CHECK_OK(kv_put(db, k, strlen(k), "v", 1));
  }
}

/* 1 when key i is present, 0 when absent, -1 on an error. */
static int present(kv_db *db, const kv_snapshot *snap, int i) {
  char k[16];
  key_of(k, i);
  void *v = NULL;
  size_t vl = 0;
  int rc = kv_get_at(db, snap, k, strlen(k), &v, &vl);
  kv_free(v);
  return rc == KV_OK ? 1 : rc == KV_NOT_FOUND ? 0 : -1;
}

/* Counts the keys an iterator shows, forward and backward (which must agree). */
static long count_keys(kv_db *db) {
  kv_iter *it = NULL;
  if (kv_iter_new(db, NULL, 0, NULL, 0, &it) != KV_OK) return -1;
  const void *k, *v;
  size_t kl, vl;
  long forward = 0, backward = 0;
  int rc;
  for (rc = kv_iter_first(it, &k, &kl, &v, &vl); rc == KV_OK; rc = kv_iter_next(it, &k, &kl, &v, &vl)) {
    ++forward;
  }
  if (rc != KV_END) forward = -1;
  for (rc = kv_iter_last(it, &k, &kl, &v, &vl); rc == KV_OK; rc = kv_iter_prev(it, &k, &kl, &v, &vl)) {
    ++backward;
  }
  if (rc != KV_END) backward = -2;
  kv_iter_free(it);
  return forward == backward ? forward : -3;
}

static long property(kv_db *db, const char *name) {
  char *out = NULL;
  if (kv_property(db, name, &out) != KV_OK) return -1;
  long n = atol(out);
  kv_free(out);
  return n;
}

int main(int argc, char **argv) {
  tu_make_temp_dir(argc > 1 ? argv[1] : NULL, "strata-capi-range", g_root, sizeof g_root);
  char path[4200], copy[4200];
  tu_join(path, sizeof path, g_root, "db");
  tu_join(copy, sizeof copy, g_root, "copy");
  kv_db *db = open_db(path);
  put_all(db, 2000);

  kv_snapshot *snap = NULL;
  CHECK_OK(kv_snapshot_new(db, &snap));
  CHECK_OK(kv_delete_range(db, "k00100", 6, "k01100", 6));
  CHECK(present(db, NULL, 99) == 1);
  CHECK(present(db, NULL, 100) == 0);
  CHECK(present(db, NULL, 1099) == 0);
  CHECK(present(db, NULL, 1100) == 1);
  CHECK(present(db, snap, 500) == 1); /* the snapshot predates the delete */
  CHECK(count_keys(db) == 1000);

  /* Multi-get sees what gets see. */
  const char *keys = "k00099k00100k01100";
  size_t lens[3] = {6, 6, 6};
  void *buffer = NULL;
  size_t vlens[3];
  int statuses[3];
  CHECK_OK(kv_multi_get(db, NULL, 3, keys, lens, &buffer, NULL, vlens, statuses));
  CHECK(statuses[0] == KV_OK && statuses[1] == KV_NOT_FOUND && statuses[2] == KV_OK);
  kv_free(buffer);

  /* Empty and reversed ranges: no-ops, not errors. */
  char *seq_before = NULL;
  CHECK_OK(kv_property(db, "last-sequence", &seq_before));
  CHECK_OK(kv_delete_range(db, "k00005", 6, "k00005", 6));
  CHECK_OK(kv_delete_range(db, "k00009", 6, "k00001", 6));
  CHECK_OK(kv_delete_range(db, "", 0, "", 0));
  char *seq_after = NULL;
  CHECK_OK(kv_property(db, "last-sequence", &seq_after));
  CHECK(seq_before != NULL && seq_after != NULL && strcmp(seq_before, seq_after) == 0);
  kv_free(seq_before);
  kv_free(seq_after);

  /* Argument checks: NULL handles and pointers, over-long keys. */
  CHECK_STATUS(kv_delete_range(NULL, "a", 1, "b", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_delete_range(db, NULL, 1, "b", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_delete_range(db, "a", 1, NULL, 1), KV_INVALID_ARGUMENT);
  char *huge = calloc(KV_MAX_KEY_LEN + 1, 1);
  CHECK_STATUS(kv_delete_range(db, "a", 1, huge, KV_MAX_KEY_LEN + 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_batch_delete_range(NULL, "a", 1, "b", 1), KV_INVALID_ARGUMENT);

  /* In a batch, operations apply in order. */
  kv_batch *b = kv_batch_new();
  CHECK_OK(kv_batch_put(b, "k01500", 6, "before", 6));
  CHECK_OK(kv_batch_delete_range(b, "k01400", 6, "k01600", 6));
  CHECK_OK(kv_batch_put(b, "k01450", 6, "after", 5));
  CHECK_OK(kv_batch_delete_range(b, "z", 1, "a", 1)); /* reversed: adds nothing */
  CHECK_STATUS(kv_batch_delete_range(b, "a", 1, huge, KV_MAX_KEY_LEN + 1), KV_INVALID_ARGUMENT);
  CHECK(kv_batch_count(b) == 3);
  CHECK_OK(kv_write(db, b));
  kv_batch_free(b);
  free(huge);
  CHECK(present(db, NULL, 1450) == 1);
  CHECK(present(db, NULL, 1500) == 0);
  CHECK(count_keys(db) == 1000 - 200 + 1);

  /* A checkpoint, a flush and a reopen keep the deletion. */
  CHECK_OK(kv_checkpoint(db, copy));
  CHECK_OK(kv_flush(db));
  kv_snapshot_free(snap);
  CHECK_OK(kv_close(db));
  db = open_db(path);
  CHECK(count_keys(db) == 801);
  CHECK(present(db, NULL, 100) == 0);
  CHECK(property(db, "range-deletions") == 2);
  /* Compacting the whole key space drops the keys and the tombstones. */
  CHECK_OK(kv_compact_range(db, NULL, 0, NULL, 0));
  CHECK(property(db, "range-deletions") == 0);
  CHECK(count_keys(db) == 801);
  CHECK(present(db, NULL, 1450) == 1);
  CHECK_OK(kv_close(db));

  kv_db *copied = open_db(copy);
  CHECK(count_keys(copied) == 801);
  CHECK(present(copied, NULL, 1000) == 0);
  CHECK_OK(kv_close(copied));

  int rc = tu_finish();
  if (rc == 0) tu_remove_tree(g_root);
  return rc;
}
