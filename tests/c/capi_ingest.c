/* The bulk-ingest calls of kv.h (kv_sst_writer_*, kv_ingest) through the
 * public header only: argument checks, key order, finish, free of an
 * unfinished writer, ingest with and without KV_INGEST_MOVE, refusals. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE

#include "test_util.h"

static char g_root[4096];

static kv_sst_writer *new_writer(const char *path) {
  kv_options *o = kv_options_new();
  kv_options_set(o, "compression", "zstd");
  kv_sst_writer *w = NULL;
  int rc = kv_sst_writer_new(path, o, &w);
  kv_options_free(o);
  if (rc != KV_OK) tu_die("kv_sst_writer_new %s: %s: %s", path, kv_status_name(rc), kv_last_error());
  return w;
}

static void key_of(char *buf, size_t cap, int i) { snprintf(buf, cap, "key%06d", i); }

/* A finished file holding keys [from, to) with values "<prefix><i>". */
static void write_sst(const char *path, int from, int to, const char *prefix) {
  kv_sst_writer *w = new_writer(path);
  for (int i = from; i < to; ++i) {
    char k[32], v[64];
    key_of(k, sizeof k, i);
    snprintf(v, sizeof v, "%s%d", prefix, i);
    CHECK_OK(kv_sst_writer_put(w, k, strlen(k), v, strlen(v)));
  }
  CHECK_OK(kv_sst_writer_finish(w));
  kv_sst_writer_free(w);
}

static int value_is(kv_db *db, int i, const char *want) {
  char k[32];
  key_of(k, sizeof k, i);
  void *v = NULL;
  size_t vl = 0;
  int rc = kv_get(db, k, strlen(k), &v, &vl);
  int same;
  if (want == NULL) {
    same = rc == KV_NOT_FOUND;
  } else {
    same = rc == KV_OK && vl == strlen(want) && memcmp(v, want, vl) == 0;
  }
  kv_free(v);
  return same;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static void test_writer(void) {
  char path[4096];
  tu_join(path, sizeof path, g_root, "w.sst");
  kv_sst_writer *w = NULL;
  CHECK_STATUS(kv_sst_writer_new(NULL, NULL, &w), KV_INVALID_ARGUMENT);
  CHECK(w == NULL);
  CHECK_STATUS(kv_sst_writer_new(path, NULL, NULL), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_sst_writer_new("", NULL, &w), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_sst_writer_put(NULL, "a", 1, "1", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_sst_writer_finish(NULL), KV_INVALID_ARGUMENT);
  kv_sst_writer_free(NULL);

  CHECK_OK(kv_sst_writer_new(path, NULL, &w));
  CHECK_STATUS(kv_sst_writer_finish(w), KV_INVALID_ARGUMENT); /* empty */
  CHECK_OK(kv_sst_writer_put(w, "b", 1, "1", 1));
  CHECK_STATUS(kv_sst_writer_put(w, "a", 1, "1", 1), KV_INVALID_ARGUMENT);
  CHECK(strstr(kv_last_error(), "increasing") != NULL);
  CHECK_STATUS(kv_sst_writer_delete(w, "b", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_sst_writer_put(w, NULL, 1, "1", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_sst_writer_put(w, "c", KV_MAX_KEY_LEN + 1, "1", 1), KV_INVALID_ARGUMENT);
  CHECK_OK(kv_sst_writer_delete(w, "c", 1)); /* still usable */
  CHECK_OK(kv_sst_writer_put(w, "d", 1, "", 0));
  CHECK_OK(kv_sst_writer_finish(w));
  CHECK_STATUS(kv_sst_writer_put(w, "e", 1, "1", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_sst_writer_finish(w), KV_INVALID_ARGUMENT);
  kv_sst_writer_free(w);
  CHECK(exists(path));

  /* Freeing an unfinished writer removes its file. */
  char partial[4096];
  tu_join(partial, sizeof partial, g_root, "partial.sst");
  w = new_writer(partial);
  CHECK_OK(kv_sst_writer_put(w, "a", 1, "1", 1));
  CHECK(exists(partial));
  kv_sst_writer_free(w);
  CHECK(!exists(partial));
}

static void test_ingest(void) {
  char dbpath[4096], a[4096], b[4096], c[4096], junk[4096];
  tu_join(dbpath, sizeof dbpath, g_root, "db");
  tu_join(a, sizeof a, g_root, "a.sst");
  tu_join(b, sizeof b, g_root, "b.sst");
  tu_join(c, sizeof c, g_root, "c.sst");
  tu_join(junk, sizeof junk, g_root, "junk.sst");
  kv_db *db = NULL;
  CHECK_OK(kv_open(dbpath, NULL, &db));
  for (int i = 0; i < 50; ++i) {
    char k[32];
    key_of(k, sizeof k, i);
    CHECK_OK(kv_put(db, k, strlen(k), "old", 3));
  }
  write_sst(a, 0, 100, "a");
  write_sst(b, 90, 200, "b");
  write_sst(c, 300, 400, "c");

  const char *both[2] = {a, b};
  CHECK_STATUS(kv_ingest(NULL, both, 1, 0), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_ingest(db, NULL, 1, 0), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_ingest(db, both, 1, 0x80), KV_INVALID_ARGUMENT);
  const char *null_path[1] = {NULL};
  CHECK_STATUS(kv_ingest(db, null_path, 1, 0), KV_INVALID_ARGUMENT);
  CHECK_OK(kv_ingest(db, NULL, 0, 0)); /* nothing to do */
  CHECK_STATUS(kv_ingest(db, both, 2, KV_INGEST_MOVE), KV_INVALID_ARGUMENT); /* overlap */
  CHECK(exists(a) && exists(b));
  CHECK(value_is(db, 10, "old"));

  FILE *f = fopen(junk, "wb");
  for (int i = 0; i < 1000; ++i) fputc(i * 7, f);
  fclose(f);
  const char *with_junk[2] = {c, junk};
  CHECK_STATUS(kv_ingest(db, with_junk, 2, 0), KV_CORRUPTION);
  CHECK(value_is(db, 350, NULL));

  const char *one[1] = {a};
  CHECK_OK(kv_ingest(db, one, 1, 0)); /* copy: the source stays */
  CHECK(exists(a));
  CHECK(value_is(db, 10, "a10"));
  CHECK(value_is(db, 99, "a99"));
  const char *moved[1] = {c};
  CHECK_OK(kv_ingest(db, moved, 1, KV_INGEST_MOVE));
  CHECK(!exists(c));
  CHECK(value_is(db, 350, "c350"));
  CHECK_OK(kv_put(db, "key000010", 9, "later", 5));
  CHECK(value_is(db, 10, "later"));

  kv_close(db);
  CHECK_STATUS(kv_ingest(db, one, 1, 0), KV_INVALID_ARGUMENT);
  db = NULL;
  CHECK_OK(kv_open(dbpath, NULL, &db));
  CHECK(value_is(db, 10, "later"));
  CHECK(value_is(db, 11, "a11"));
  CHECK(value_is(db, 399, "c399"));
  CHECK_OK(kv_verify(db));
  kv_close(db);
}

int main(int argc, char **argv) {
  tu_make_temp_dir(argc > 1 ? argv[1] : NULL, "strata-capi-ingest", g_root, sizeof g_root);
  test_writer();
  test_ingest();
  int rc = tu_finish();
  if (rc == 0) tu_remove_tree(g_root);
  return rc;
}
