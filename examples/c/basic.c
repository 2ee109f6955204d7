/*
 * basic.c — the smallest complete tour of strata's C API, linked against
 * libstrata: set options by name and open a database, put/get/delete single
 * keys, write an atomic batch, scan a key range with an iterator, and handle
 * errors through the status code, kv_status_name and kv_last_error. It is
 * the program the README quotes, so it favours clarity over completeness.
 *
 * Usage: strata-example-basic [DB_DIR]   (default /tmp/strata-example-basic)
 */
#include <stdio.h>
#include <stdlib.h>

#include "strata/kv.h"

/* Every call returns a status; errors are negative and leave a message. */
static void check(int rc, const char *what) {
  if (rc < 0) {
    fprintf(stderr, "%s failed: %s: %s\n", what, kv_status_name(rc), kv_last_error());
    exit(1);
  }
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "/tmp/strata-example-basic";
  kv_db *db = NULL;
  void *val;
  size_t len;
  int rc;

  /* Options are set by name and copied by kv_open. */
  kv_options *opts = kv_options_new();
  check(kv_options_set(opts, "create_if_missing", "true"), "kv_options_set");
  check(kv_options_set(opts, "memtable_bytes", "16M"), "kv_options_set");
  /* Bad input is an error with a message, never a crash. */
  rc = kv_options_set(opts, "colour", "blue");
  printf("expected error: %s: %s\n", kv_status_name(rc), kv_last_error());
  check(kv_open(path, opts, &db), "kv_open");
  kv_options_free(opts);

  /* Single keys: the value kv_get hands out is freed with kv_free. */
  check(kv_put(db, "apple", 5, "red", 3), "kv_put");
  check(kv_get(db, "apple", 5, &val, &len), "kv_get");
  printf("apple = %.*s\n", (int)len, (const char *)val);
  kv_free(val);
  check(kv_delete(db, "apple", 5), "kv_delete");
  rc = kv_get(db, "apple", 5, &val, &len); /* KV_NOT_FOUND is not an error */
  printf("apple after delete: %s\n", kv_status_name(rc));

  /* A batch is applied entirely or not at all. */
  kv_batch *batch = kv_batch_new();
  check(kv_batch_put(batch, "fruit:banana", 12, "yellow", 6), "kv_batch_put");
  check(kv_batch_put(batch, "fruit:cherry", 12, "dark red", 8), "kv_batch_put");
  check(kv_batch_put(batch, "fruit:kiwi", 10, "green", 5), "kv_batch_put");
  check(kv_batch_put(batch, "veg:leek", 8, "green", 5), "kv_batch_put");
  check(kv_write(db, batch), "kv_write");
  kv_batch_free(batch);

  /* Scan [start, end): every key with the prefix "fruit:". */
  kv_iter *it;
  const void *k, *v;
  size_t klen, vlen;
  check(kv_iter_new(db, "fruit:", 6, "fruit;", 6, &it), "kv_iter_new");
  while ((rc = kv_iter_next(it, &k, &klen, &v, &vlen)) == KV_OK)
    printf("  %.*s = %.*s\n", (int)klen, (const char *)k, (int)vlen, (const char *)v);
  kv_iter_free(it);
  check(rc, "kv_iter_next"); /* KV_END when the range is exhausted */

  check(kv_close(db), "kv_close");
  return 0;
}
