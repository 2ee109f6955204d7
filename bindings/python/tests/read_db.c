/*
 * read_db DIR — prints every entry of the strata database in DIR, one per
 * line, as "<key hex> <value hex>", in key order; exit status 0 on success.
 *
 * The C side of test_cross_language.py: the Python tests write a database
 * and check that this C program, linked against libstrata like any outside
 * program, reads it back exactly.
 */
#include <stdio.h>

#include "strata/kv.h"

static void print_hex(const void *p, size_t n) {
  const unsigned char *bytes = p;
  for (size_t i = 0; i < n; i++) printf("%02x", bytes[i]);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  kv_options *o = kv_options_new();
  kv_options_set(o, "create_if_missing", "false");
  kv_db *db;
  int rc = kv_open(argv[1], o, &db);
  kv_options_free(o);
  if (rc != KV_OK) {
    fprintf(stderr, "read_db: open: %s: %s\n", kv_status_name(rc), kv_last_error());
    return 1;
  }
  kv_iter *it;
  rc = kv_iter_new(db, NULL, 0, NULL, 0, &it);
  if (rc != KV_OK) {
    fprintf(stderr, "read_db: iter: %s: %s\n", kv_status_name(rc), kv_last_error());
    return 1;
  }
  const void *k, *v;
  size_t kl, vl;
  while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) {
    print_hex(k, kl);
    putchar(' ');
    print_hex(v, vl);
    putchar('\n');
  }
  kv_iter_free(it);
  if (rc != KV_END) {
    fprintf(stderr, "read_db: next: %s: %s\n", kv_status_name(rc), kv_last_error());
    return 1;
  }
  return kv_close(db) == KV_OK ? 0 : 1;
}
