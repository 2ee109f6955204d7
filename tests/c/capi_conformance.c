/*
 * capi_conformance.c — checks libstrata.so against the contract written in
 * capi/include/strata/kv.h and in DESIGN.md ("The C ABI contract"), from a
 * program compiled as C, the way every C user, binding and dlopen caller sees
 * the library. It covers versions and status codes, options by name (good
 * and bad names and values), open/close and KV_BUSY, single-key operations
 * with empty values, NUL bytes, a 3 MiB value and the key-length limit,
 * batches (atomic, last operation wins, clear and reuse), iterators over
 * [start, end) with open and empty-key bounds and snapshot isolation, NULL
 * handles and pointers given to every function, closing with an iterator
 * still open, use after close, and the maintenance calls and properties. The
 * contract is what bindings in other languages rely on, so a deviation here
 * is a bug even when the engine's own C++ tests pass.
 *
 * Usage: capi_conformance [PARENT_DIR]   (default $TMPDIR or /tmp)
 * Makes a fresh directory under PARENT_DIR, removes it when every check
 * passed, prints "N passed, N failed" and exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "strata/kv.h"
#include "test_util.h"

static char g_root[4096];
static int g_dir_counter = 0;

/* A fresh database directory path under the test root (not yet created). */
static void new_db_path(char *buf, size_t cap, const char *tag) {
  int n = snprintf(buf, cap, "%s/%02d-%s", g_root, ++g_dir_counter, tag);
  if (n < 0 || (size_t)n >= cap) tu_die("path too long");
}

static kv_db *open_db(const char *path, const kv_options *o) {
  kv_db *db = NULL;
  int rc = kv_open(path, o, &db);
  if (rc != KV_OK || db == NULL) {
    fprintf(stderr, "kv_open(%s): %s: %s\n", path, kv_status_name(rc), kv_last_error());
    tu_die("cannot continue without a database");
  }
  return db;
}

static int put_str(kv_db *db, const char *k, const char *v) {
  return kv_put(db, k, strlen(k), v, strlen(v));
}

/* 1 when key holds exactly the bytes v[0..vlen). */
static int has_value(kv_db *db, const void *k, size_t klen, const void *v, size_t vlen) {
  void *got = NULL;
  size_t got_len = 0;
  int rc = kv_get(db, k, klen, &got, &got_len);
  int ok = rc == KV_OK && got != NULL && got_len == vlen && memcmp(got, v, vlen) == 0;
  kv_free(got);
  return ok;
}

static int has_str(kv_db *db, const char *k, const char *v) {
  return has_value(db, k, strlen(k), v, strlen(v));
}

/* 1 when kv_get reports KV_NOT_FOUND and resets its out parameters. */
static int is_absent(kv_db *db, const void *k, size_t klen) {
  void *got = (void *)&got; /* junk, to see that it is reset */
  size_t got_len = 12345;
  int rc = kv_get(db, k, klen, &got, &got_len);
  return rc == KV_NOT_FOUND && got == NULL && got_len == 0;
}

static int is_absent_str(kv_db *db, const char *k) { return is_absent(db, k, strlen(k)); }

/* Collects an iterator's keys as "k1,k2,..." (keys printable in these
 * tests), checking that every value is "v" + key. Returns the final status
 * (KV_END when the walk ended normally). */
static int walk(kv_iter *it, char *out, size_t cap) {
  size_t used = 0;
  int count = 0;
  out[0] = '\0';
  for (;;) {
    const void *k, *v;
    size_t kl, vl;
    int rc = kv_iter_next(it, &k, &kl, &v, &vl);
    if (rc != KV_OK) return rc;
    if (used + kl + 2 >= cap) return KV_INTERNAL;
    if (count++ > 0) out[used++] = ',';
    memcpy(out + used, k, kl);
    used += kl;
    out[used] = '\0';
    if (vl != kl + 1 || ((const char *)v)[0] != 'v' || memcmp((const char *)v + 1, k, kl) != 0) {
      fprintf(stderr, "walk: wrong value for key %.*s: %.*s\n", (int)kl, (const char *)k,
              (int)vl, (const char *)v);
      return KV_INTERNAL;
    }
  }
}

/* Walks [start, end) given as C strings, NULL for an open bound, and
 * compares the keys seen with `want`. */
static int range_is(kv_db *db, const char *start, const char *end, const char *want) {
  kv_iter *it = NULL;
  char got[1024];
  int rc = kv_iter_new(db, start, start ? strlen(start) : 0, end, end ? strlen(end) : 0, &it);
  if (rc != KV_OK) return 0;
  rc = walk(it, got, sizeof got);
  kv_iter_free(it);
  if (rc != KV_END || strcmp(got, want) != 0) {
    fprintf(stderr, "range [%s, %s): got \"%s\" (%s), want \"%s\"\n", start ? start : "NULL",
            end ? end : "NULL", got, kv_status_name(rc), want);
    return 0;
  }
  return 1;
}

/* Puts key -> "v" + key for each comma-separated key in `keys`. */
static void put_keys(kv_db *db, const char *keys) {
  char buf[256];
  const char *p = keys;
  while (*p) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    buf[0] = 'v';
    memcpy(buf + 1, p, n);
    CHECK_OK(kv_put(db, p, n, buf, n + 1));
    p += n;
    if (*p == ',') p++;
  }
}

/* Reads an integer property. Returns -1 on failure. */
static long long int_property(kv_db *db, const char *name) {
  char *s = NULL;
  long long v = -1;
  if (kv_property(db, name, &s) == KV_OK && s != NULL) {
    char *end;
    v = strtoll(s, &end, 10);
    if (end == s) v = -1;
  }
  kv_free(s);
  return v;
}

/* ------------------------------------------------------------------------ */

static void test_version_and_status(void) {
  /* Before any failure this thread's message is empty, never NULL. */
  CHECK(kv_last_error() != NULL);
  CHECK(kv_last_error() != NULL && kv_last_error()[0] == '\0');

  const char *v = kv_version();
  CHECK(v != NULL);
  if (v != NULL) {
    char major[16];
    snprintf(major, sizeof major, "%d.", KV_VERSION_MAJOR);
    CHECK(strncmp(v, major, strlen(major)) == 0);
    CHECK(strcmp(v, KV_VERSION_STRING) == 0);
  }

  CHECK(KV_OK == 0);
  CHECK(KV_NOT_FOUND == 1);
  CHECK(KV_END == 2);
  const int errors[] = {KV_INVALID_ARGUMENT, KV_IO_ERROR,      KV_CORRUPTION, KV_BUSY,
                        KV_NO_MEMORY,        KV_NOT_SUPPORTED, KV_INTERNAL,   KV_CONFLICT};
  const char *names[] = {"KV_INVALID_ARGUMENT", "KV_IO_ERROR",      "KV_CORRUPTION",
                         "KV_BUSY",             "KV_NO_MEMORY",     "KV_NOT_SUPPORTED",
                         "KV_INTERNAL",         "KV_CONFLICT"};
  size_t i, j;
  for (i = 0; i < sizeof errors / sizeof errors[0]; i++) {
    CHECK(errors[i] < 0);
    for (j = 0; j < i; j++) CHECK(errors[i] != errors[j]);
    const char *n = kv_status_name(errors[i]);
    CHECK(n != NULL && strcmp(n, names[i]) == 0);
  }
  CHECK(kv_status_name(KV_OK) && strcmp(kv_status_name(KV_OK), "KV_OK") == 0);
  CHECK(kv_status_name(KV_NOT_FOUND) && strcmp(kv_status_name(KV_NOT_FOUND), "KV_NOT_FOUND") == 0);
  CHECK(kv_status_name(KV_END) && strcmp(kv_status_name(KV_END), "KV_END") == 0);
  /* A code this header does not know still gets a name, not NULL. */
  CHECK(kv_status_name(12345) != NULL);
  CHECK(kv_status_name(-12345) != NULL);
  CHECK(kv_status_name(INT_MIN) != NULL);
}

/* Sets name=value and expects KV_INVALID_ARGUMENT with a message naming it. */
static void expect_bad_option(kv_options *o, const char *name, const char *value) {
  int rc = kv_options_set(o, name, value);
  if (rc != KV_INVALID_ARGUMENT) {
    tu_failed++;
    fprintf(stderr, "FAIL: kv_options_set(%s, \"%s\") returned %s, want KV_INVALID_ARGUMENT\n",
            name, value, kv_status_name(rc));
    return;
  }
  tu_passed++;
  const char *msg = kv_last_error();
  if (msg == NULL || strstr(msg, name) == NULL) {
    tu_failed++;
    fprintf(stderr, "FAIL: message for bad option %s=\"%s\" does not name it: \"%s\"\n", name,
            value, msg ? msg : "(null)");
  } else {
    tu_passed++;
  }
}

/* 1 when get(name) returns exactly `want`. */
static int option_is(const kv_options *o, const char *name, const char *want) {
  char *got = NULL;
  int rc = kv_options_get(o, name, &got);
  int ok = rc == KV_OK && got != NULL && strcmp(got, want) == 0;
  if (!ok) {
    fprintf(stderr, "option %s: got %s \"%s\", want \"%s\"\n", name, kv_status_name(rc),
            got ? got : "(null)", want);
  }
  kv_free(got);
  return ok;
}

static int is_true_text(const char *s) {
  return strcmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcmp(s, "yes") == 0 ||
         strcmp(s, "on") == 0;
}

static int is_false_text(const char *s) {
  return strcmp(s, "false") == 0 || strcmp(s, "0") == 0 || strcmp(s, "no") == 0 ||
         strcmp(s, "off") == 0;
}

static void test_options(void) {
  kv_options *o = kv_options_new();
  CHECK(o != NULL);
  if (o == NULL) return;

  /* Defaults documented in kv.h. */
  CHECK(option_is(o, "memtable", "skiplist"));
  CHECK(option_is(o, "compression", "none"));
  CHECK(option_is(o, "bloom_bits_per_key", "10"));
  CHECK(option_is(o, "background_threads", "2"));
  char *s = NULL;
  CHECK_OK(kv_options_get(o, "create_if_missing", &s));
  CHECK(s != NULL && is_true_text(s));
  kv_free(s);
  s = NULL;
  CHECK_OK(kv_options_get(o, "sync", &s));
  CHECK(s != NULL && is_false_text(s));
  kv_free(s);

  /* Every documented name with a good value. */
  const char *good[][2] = {
      {"create_if_missing", "true"}, {"create_if_missing", "1"},  {"error_if_exists", "no"},
      {"error_if_exists", "off"},    {"sync", "yes"},             {"sync", "on"},
      {"sync", "false"},             {"sync", "0"},               {"memtable_bytes", "1048576"},
      {"memtable_bytes", "4M"},      {"memtable", "rbtree"},      {"memtable", "avl"},
      {"memtable", "skiplist"},      {"block_cache_bytes", "8M"}, {"block_cache_bytes", "1G"},
      {"bloom_bits_per_key", "0"},   {"bloom_bits_per_key", "12"}, {"block_bytes", "16K"},
      {"block_bytes", "4096"},       {"compression", "none"},     {"background_threads", "3"},
  };
  size_t i;
  for (i = 0; i < sizeof good / sizeof good[0]; i++) {
    int rc = kv_options_set(o, good[i][0], good[i][1]);
    if (rc != KV_OK) {
      fprintf(stderr, "kv_options_set(%s, %s): %s: %s\n", good[i][0], good[i][1],
              kv_status_name(rc), kv_last_error());
    }
    CHECK(rc == KV_OK);
  }
  /* lz4 and zstd are documented codecs; a build may lack one, in which case
   * KV_NOT_SUPPORTED is the honest answer. */
  int rc = kv_options_set(o, "compression", "lz4");
  CHECK(rc == KV_OK || rc == KV_NOT_SUPPORTED);
  rc = kv_options_set(o, "compression", "zstd");
  CHECK(rc == KV_OK || rc == KV_NOT_SUPPORTED);
  CHECK_OK(kv_options_set(o, "compression", "none"));

  /* Values read back. */
  CHECK_OK(kv_options_set(o, "memtable_bytes", "1048576"));
  CHECK(option_is(o, "memtable_bytes", "1048576"));
  CHECK_OK(kv_options_set(o, "memtable", "avl"));
  CHECK(option_is(o, "memtable", "avl"));
  CHECK_OK(kv_options_set(o, "bloom_bits_per_key", "7"));
  CHECK(option_is(o, "bloom_bits_per_key", "7"));
  CHECK_OK(kv_options_set(o, "sync", "on"));
  s = NULL;
  CHECK_OK(kv_options_get(o, "sync", &s));
  CHECK(s != NULL && is_true_text(s));
  kv_free(s);
  /* A size with a suffix reads back as something that sets the same size. */
  CHECK_OK(kv_options_set(o, "block_cache_bytes", "2M"));
  s = NULL;
  CHECK_OK(kv_options_get(o, "block_cache_bytes", &s));
  CHECK(s != NULL && (strcmp(s, "2097152") == 0 || strcmp(s, "2M") == 0 ||
                      strcmp(s, "2MiB") == 0));
  kv_free(s);

  /* Unknown names and malformed values: KV_INVALID_ARGUMENT, named. */
  expect_bad_option(o, "no_such_option", "1");
  expect_bad_option(o, "Sync_Typo", "true");
  expect_bad_option(o, "sync", "maybe");
  expect_bad_option(o, "sync", "");
  expect_bad_option(o, "create_if_missing", "2");
  expect_bad_option(o, "memtable", "btree");
  expect_bad_option(o, "memtable", "");
  expect_bad_option(o, "memtable_bytes", "lots");
  expect_bad_option(o, "memtable_bytes", "12Q");
  expect_bad_option(o, "memtable_bytes", "-5");
  expect_bad_option(o, "memtable_bytes", "");
  expect_bad_option(o, "memtable_bytes", "99999999999999999999999999");
  expect_bad_option(o, "block_cache_bytes", "1X");
  expect_bad_option(o, "bloom_bits_per_key", "ten");
  expect_bad_option(o, "block_bytes", "4096 bytes please");
  expect_bad_option(o, "compression", "bogus-codec");
  expect_bad_option(o, "background_threads", "two");
  /* A failed set leaves the previous value. */
  CHECK(option_is(o, "memtable", "avl"));
  CHECK(option_is(o, "memtable_bytes", "1048576"));

  /* Get of an unknown name. */
  s = (char *)&s;
  CHECK_STATUS(kv_options_get(o, "no_such_option", &s), KV_INVALID_ARGUMENT);
  CHECK(s == NULL || s == (char *)&s); /* not a buffer to free */
  CHECK(strstr(kv_last_error(), "no_such_option") != NULL);

  /* NULL arguments. */
  CHECK_STATUS(kv_options_set(NULL, "sync", "true"), KV_INVALID_ARGUMENT);
  CHECK(kv_last_error()[0] != '\0');
  CHECK_STATUS(kv_options_set(o, NULL, "true"), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_options_set(o, "sync", NULL), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_options_get(NULL, "sync", &s), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_options_get(o, NULL, &s), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_options_get(o, "sync", NULL), KV_INVALID_ARGUMENT);
  kv_options_free(NULL);
  kv_options_free(o);
  tu_passed++; /* survived the frees */
}

static void test_open_close(void) {
  char path[4096];
  kv_db *db = NULL, *db2 = NULL;

  /* NULL arguments. */
  db = (kv_db *)&db;
  CHECK_STATUS(kv_open(NULL, NULL, &db), KV_INVALID_ARGUMENT);
  CHECK(db == NULL);
  new_db_path(path, sizeof path, "open");
  CHECK_STATUS(kv_open(path, NULL, NULL), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_close(NULL), KV_INVALID_ARGUMENT);

  /* create_if_missing=false on a missing directory fails, creating nothing. */
  kv_options *o = kv_options_new();
  CHECK_OK(kv_options_set(o, "create_if_missing", "false"));
  db = (kv_db *)&db;
  int rc = kv_open(path, o, &db);
  CHECK(rc < 0);
  CHECK(db == NULL);
  CHECK(kv_last_error()[0] != '\0');

  /* A path that is a regular file is an error, not a crash. */
  {
    char file[4096];
    new_db_path(file, sizeof file, "plain-file");
    FILE *f = fopen(file, "w");
    if (f != NULL) {
      fputs("not a database\n", f);
      fclose(f);
      db = (kv_db *)&db;
      rc = kv_open(file, NULL, &db);
      CHECK(rc < 0);
      CHECK(db == NULL);
    }
  }

  /* Defaults (NULL options) create it. */
  db = NULL;
  CHECK_OK(kv_open(path, NULL, &db));
  CHECK(db != NULL);
  if (db == NULL) {
    kv_options_free(o);
    return;
  }
  CHECK_OK(put_str(db, "persist", "me"));

  /* A second handle on the same directory: KV_BUSY, *out NULL. */
  db2 = (kv_db *)&db2;
  CHECK_STATUS(kv_open(path, NULL, &db2), KV_BUSY);
  CHECK(db2 == NULL);
  CHECK(kv_last_error()[0] != '\0');
  CHECK_OK(kv_close(db));

  /* After close the directory opens again (LOCK released) and the data is there. */
  db = NULL;
  CHECK_OK(kv_open(path, o, &db)); /* create_if_missing=false, exists now */
  if (db != NULL) {
    CHECK(has_str(db, "persist", "me"));
    CHECK_OK(kv_close(db));
  }

  /* error_if_exists on an existing database fails. */
  kv_options *o2 = kv_options_new();
  CHECK_OK(kv_options_set(o2, "error_if_exists", "true"));
  db = (kv_db *)&db;
  rc = kv_open(path, o2, &db);
  CHECK(rc < 0);
  CHECK(db == NULL);
  /* ...and the failed open left the directory unlocked. */
  db = NULL;
  CHECK_OK(kv_open(path, NULL, &db));
  if (db != NULL) CHECK_OK(kv_close(db));

  /* The options object is copied at open: changing or freeing it afterwards
   * has no effect on the open handle. */
  new_db_path(path, sizeof path, "optcopy");
  CHECK_OK(kv_options_set(o2, "error_if_exists", "false"));
  db = NULL;
  CHECK_OK(kv_open(path, o2, &db));
  kv_options_free(o2);
  if (db != NULL) {
    CHECK_OK(put_str(db, "a", "b"));
    CHECK(has_str(db, "a", "b"));
    CHECK_OK(kv_close(db));
  }
  kv_options_free(o);
}

static void test_single_keys(kv_db *db) {
  /* Put, get, overwrite, delete. */
  CHECK_OK(put_str(db, "alpha", "1"));
  CHECK(has_str(db, "alpha", "1"));
  CHECK_OK(put_str(db, "alpha", "22"));
  CHECK(has_str(db, "alpha", "22"));
  CHECK_OK(kv_delete(db, "alpha", 5));
  CHECK(is_absent_str(db, "alpha"));
  CHECK(is_absent_str(db, "never-written"));
  /* Deleting an absent key is KV_OK. */
  CHECK_OK(kv_delete(db, "never-written", 13));
  CHECK_OK(kv_delete(db, "alpha", 5));

  /* The empty value is a value, distinct from an absent key; kv_get hands out
   * a non-NULL buffer for it. A NULL value pointer with length 0 is allowed. */
  CHECK_OK(kv_put(db, "empty", 5, "", 0));
  {
    void *v = NULL;
    size_t vl = 99;
    CHECK_OK(kv_get(db, "empty", 5, &v, &vl));
    CHECK(v != NULL);
    CHECK(vl == 0);
    kv_free(v);
  }
  CHECK_OK(kv_put(db, "empty2", 6, NULL, 0));
  CHECK(has_value(db, "empty2", 6, "", 0));
  CHECK_OK(kv_delete(db, "empty2", 6));
  CHECK(is_absent(db, "empty2", 6));

  /* The empty key is a key. */
  CHECK_OK(kv_put(db, NULL, 0, "empty-key", 9));
  CHECK(has_value(db, "", 0, "empty-key", 9));
  CHECK(has_value(db, NULL, 0, "empty-key", 9));
  CHECK_OK(kv_delete(db, "", 0));
  CHECK(is_absent(db, NULL, 0));

  /* NUL bytes: keys that differ only after a NUL are distinct, and a key is
   * not truncated at its first NUL. */
  const char k1[] = {'n', 0, 'a'}, k2[] = {'n', 0, 'b'}, k3[] = {'n', 0}, k4[] = {'n'};
  const char v1[] = {0, 1, 0, 2}, v2[] = {0}, v3[] = {'x', 0, 'y'};
  CHECK_OK(kv_put(db, k1, sizeof k1, v1, sizeof v1));
  CHECK_OK(kv_put(db, k2, sizeof k2, v2, sizeof v2));
  CHECK_OK(kv_put(db, k3, sizeof k3, v3, sizeof v3));
  CHECK(has_value(db, k1, sizeof k1, v1, sizeof v1));
  CHECK(has_value(db, k2, sizeof k2, v2, sizeof v2));
  CHECK(has_value(db, k3, sizeof k3, v3, sizeof v3));
  CHECK(is_absent(db, k4, sizeof k4));
  {
    /* Bytewise order: "n" < "n\0" < "n\0a" < "n\0b" < "n\x01". */
    const char after[] = {'n', 1};
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(db, k4, sizeof k4, after, sizeof after, &it));
    const void *k, *v;
    size_t kl, vl;
    CHECK_OK(kv_iter_next(it, &k, &kl, &v, &vl));
    CHECK(kl == sizeof k3 && memcmp(k, k3, kl) == 0 && vl == sizeof v3 && memcmp(v, v3, vl) == 0);
    CHECK_OK(kv_iter_next(it, &k, &kl, &v, &vl));
    CHECK(kl == sizeof k1 && memcmp(k, k1, kl) == 0 && vl == sizeof v1 && memcmp(v, v1, vl) == 0);
    CHECK_OK(kv_iter_next(it, &k, &kl, &v, &vl));
    CHECK(kl == sizeof k2 && memcmp(k, k2, kl) == 0 && vl == sizeof v2 && memcmp(v, v2, vl) == 0);
    CHECK_STATUS(kv_iter_next(it, &k, &kl, &v, &vl), KV_END);
    kv_iter_free(it);
  }
  /* Binary bytes 0x80..0xFF order above ASCII (unsigned comparison). */
  {
    const unsigned char hi[] = {0xFF, 0x00}, lo[] = {0x7F};
    CHECK_OK(kv_put(db, hi, sizeof hi, "hi", 2));
    CHECK_OK(kv_put(db, lo, sizeof lo, "lo", 2));
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(db, lo, sizeof lo, NULL, 0, &it));
    const void *k;
    size_t kl;
    CHECK_OK(kv_iter_next(it, &k, &kl, NULL, NULL));
    CHECK(kl == 1 && ((const unsigned char *)k)[0] == 0x7F);
    CHECK_OK(kv_iter_next(it, &k, &kl, NULL, NULL));
    CHECK(kl == 2 && ((const unsigned char *)k)[0] == 0xFF);
    CHECK_STATUS(kv_iter_next(it, &k, &kl, NULL, NULL), KV_END);
    kv_iter_free(it);
    CHECK_OK(kv_delete(db, hi, sizeof hi));
    CHECK_OK(kv_delete(db, lo, sizeof lo));
  }

  /* A 3 MiB value, through get and through an iterator. */
  {
    size_t n = 3u << 20, i;
    unsigned char *big = malloc(n);
    if (big == NULL) tu_die("out of memory");
    for (i = 0; i < n; i++) big[i] = (unsigned char)(i * 2654435761u >> 13);
    CHECK_OK(kv_put(db, "big", 3, big, n));
    CHECK(has_value(db, "big", 3, big, n));
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(db, "big", 3, "big\x01", 4, &it));
    const void *k, *v;
    size_t kl, vl;
    CHECK_OK(kv_iter_next(it, &k, &kl, &v, &vl));
    CHECK(kl == 3 && vl == n && memcmp(v, big, n) == 0);
    CHECK_STATUS(kv_iter_next(it, &k, &kl, &v, &vl), KV_END);
    kv_iter_free(it);
    /* It survives a flush to a table, too. */
    CHECK_OK(kv_flush(db));
    CHECK(has_value(db, "big", 3, big, n));
    CHECK_OK(kv_delete(db, "big", 3));
    CHECK(is_absent(db, "big", 3));
    free(big);
  }

  /* Key length limit: KV_MAX_KEY_LEN is allowed, one more is not. */
  {
    size_t n = KV_MAX_KEY_LEN + 1;
    char *key = malloc(n);
    if (key == NULL) tu_die("out of memory");
    memset(key, 'K', n);
    CHECK_OK(kv_put(db, key, KV_MAX_KEY_LEN, "max", 3));
    CHECK(has_value(db, key, KV_MAX_KEY_LEN, "max", 3));
    CHECK_STATUS(kv_put(db, key, n, "x", 1), KV_INVALID_ARGUMENT);
    CHECK(kv_last_error()[0] != '\0');
    void *v = (void *)&v;
    size_t vl = 7;
    CHECK_STATUS(kv_get(db, key, n, &v, &vl), KV_INVALID_ARGUMENT);
    CHECK(v == NULL && vl == 0);
    CHECK_STATUS(kv_delete(db, key, n), KV_INVALID_ARGUMENT);
    kv_batch *b = kv_batch_new();
    CHECK_STATUS(kv_batch_put(b, key, n, "x", 1), KV_INVALID_ARGUMENT);
    CHECK_STATUS(kv_batch_delete(b, key, n), KV_INVALID_ARGUMENT);
    CHECK(kv_batch_count(b) == 0);
    kv_batch_free(b);
    /* The too-long key was not stored under a truncated name. */
    CHECK(has_value(db, key, KV_MAX_KEY_LEN, "max", 3));
    CHECK_OK(kv_delete(db, key, KV_MAX_KEY_LEN));
    free(key);
  }

  /* Value length limit. The over-long value is a reserved but inaccessible
   * mapping: the length must be refused before a byte of it is read. */
  {
    size_t n = KV_MAX_VALUE_LEN + 1;
    void *p = mmap(NULL, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
      printf("  checking an over-long value is refused without reading it\n");
      fflush(stdout);
      CHECK_STATUS(kv_put(db, "huge", 4, p, n), KV_INVALID_ARGUMENT);
      kv_batch *b = kv_batch_new();
      CHECK_STATUS(kv_batch_put(b, "huge", 4, p, n), KV_INVALID_ARGUMENT);
      CHECK(kv_batch_count(b) == 0);
      kv_batch_free(b);
      munmap(p, n);
      CHECK(is_absent(db, "huge", 4));
    }
  }
}

static void test_batches(kv_db *db) {
  kv_batch *b = kv_batch_new();
  CHECK(b != NULL);
  if (b == NULL) return;
  CHECK(kv_batch_count(b) == 0);

  CHECK_OK(put_str(db, "b-old", "x"));
  CHECK_OK(kv_batch_put(b, "b-1", 3, "one", 3));
  CHECK_OK(kv_batch_put(b, "b-2", 3, "two", 3));
  CHECK_OK(kv_batch_delete(b, "b-old", 5));
  CHECK_OK(kv_batch_put(b, "b-empty", 7, NULL, 0));
  CHECK(kv_batch_count(b) == 4);
  /* Nothing is visible before kv_write. */
  CHECK(is_absent_str(db, "b-1"));
  CHECK(has_str(db, "b-old", "x"));
  CHECK_OK(kv_write(db, b));
  CHECK(has_str(db, "b-1", "one"));
  CHECK(has_str(db, "b-2", "two"));
  CHECK(is_absent_str(db, "b-old"));
  CHECK(has_value(db, "b-empty", 7, "", 0));

  /* Later operations win. */
  kv_batch_clear(b);
  CHECK(kv_batch_count(b) == 0);
  CHECK_OK(kv_batch_put(b, "w-1", 3, "first", 5));
  CHECK_OK(kv_batch_put(b, "w-1", 3, "second", 6));
  CHECK_OK(kv_batch_put(b, "w-2", 3, "doomed", 6));
  CHECK_OK(kv_batch_delete(b, "w-2", 3));
  CHECK_OK(kv_batch_delete(b, "w-3", 3));
  CHECK_OK(kv_batch_put(b, "w-3", 3, "reborn", 6));
  CHECK(kv_batch_count(b) == 6);
  CHECK_OK(kv_write(db, b));
  CHECK(has_str(db, "w-1", "second"));
  CHECK(is_absent_str(db, "w-2"));
  CHECK(has_str(db, "w-3", "reborn"));
  /* The batch is unchanged by writing it and can be written again. */
  CHECK(kv_batch_count(b) == 6);
  CHECK_OK(put_str(db, "w-1", "changed"));
  CHECK_OK(kv_write(db, b));
  CHECK(has_str(db, "w-1", "second"));

  /* An empty batch writes nothing and succeeds. */
  kv_batch_clear(b);
  CHECK_OK(kv_write(db, b));
  CHECK(has_str(db, "w-1", "second"));

  /* Reuse after clear: only the new operations are applied. */
  CHECK_OK(kv_batch_put(b, "r-1", 3, "r", 1));
  CHECK(kv_batch_count(b) == 1);
  CHECK_OK(kv_delete(db, "w-3", 3));
  CHECK_OK(kv_write(db, b));
  CHECK(has_str(db, "r-1", "r"));
  CHECK(is_absent_str(db, "w-3")); /* not re-put by the cleared operations */

  /* NUL bytes and the key limit inside a batch. */
  kv_batch_clear(b);
  const char nk[] = {'z', 0, 'z'};
  CHECK_OK(kv_batch_put(b, nk, sizeof nk, nk, sizeof nk));
  CHECK_OK(kv_write(db, b));
  CHECK(has_value(db, nk, sizeof nk, nk, sizeof nk));
  CHECK(is_absent(db, "z", 1));
  kv_batch_free(b);
}

/* Atomic for readers: an iterator never sees half of a batch. A writer
 * thread keeps writing batches that set atom-a, atom-b and atom-c to the same
 * value while this thread takes snapshots. */

struct atomic_writer_arg {
  kv_db *db;
  int rounds;
  int failures;
};

static void *atomic_writer(void *p) {
  struct atomic_writer_arg *a = p;
  kv_batch *b = kv_batch_new();
  int i;
  for (i = 0; i < a->rounds; i++) {
    char v[32];
    int n = snprintf(v, sizeof v, "%08d", i);
    kv_batch_clear(b);
    kv_batch_put(b, "atom-a", 6, v, (size_t)n);
    kv_batch_put(b, "atom-b", 6, v, (size_t)n);
    kv_batch_put(b, "atom-c", 6, v, (size_t)n);
    if (kv_write(a->db, b) != KV_OK) a->failures++;
  }
  kv_batch_free(b);
  return NULL;
}

static void test_batch_atomic_for_readers(kv_db *db) {
  struct atomic_writer_arg arg = {db, 3000, 0};
  pthread_t t;
  CHECK(pthread_create(&t, NULL, atomic_writer, &arg) == 0);
  int torn = 0, seen = 0, errors = 0, i;
  for (i = 0; i < 2000; i++) {
    kv_iter *it = NULL;
    if (kv_iter_new(db, "atom-", 5, "atom.", 5, &it) != KV_OK) {
      errors++;
      continue;
    }
    char vals[3][32];
    int n = 0, rc;
    const void *v;
    size_t vl;
    while ((rc = kv_iter_next(it, NULL, NULL, &v, &vl)) == KV_OK && n < 3) {
      snprintf(vals[n++], sizeof vals[0], "%.*s", (int)vl, (const char *)v);
    }
    if (rc != KV_END && rc != KV_OK) errors++;
    kv_iter_free(it);
    if (n == 0) continue;
    seen++;
    if (n != 3 || strcmp(vals[0], vals[1]) != 0 || strcmp(vals[1], vals[2]) != 0) torn++;
  }
  pthread_join(t, NULL);
  CHECK(arg.failures == 0);
  CHECK(errors == 0);
  CHECK(torn == 0);
  if (torn) fprintf(stderr, "  %d of %d snapshots saw part of a batch\n", torn, seen);
}

static void test_iterators(kv_db *db) {
  put_keys(db, "i-a,i-b,i-c,i-d,i-e");

  CHECK(range_is(db, "i-b", "i-d", "i-b,i-c"));
  CHECK(range_is(db, "i-", "i.", "i-a,i-b,i-c,i-d,i-e"));
  CHECK(range_is(db, "i-a", "i-a", ""));      /* empty range */
  CHECK(range_is(db, "i-d", "i-b", ""));      /* start after end: empty */
  CHECK(range_is(db, "i-bb", "i-d0", "i-c,i-d")); /* bounds between keys */

  /* Open start, and both bounds open: a fresh database for exact lists. */
  char path[4096];
  new_db_path(path, sizeof path, "iter");
  kv_db *d2 = open_db(path, NULL);
  put_keys(d2, "b,d,a,c");
  CHECK(range_is(d2, NULL, NULL, "a,b,c,d"));
  CHECK(range_is(d2, NULL, "c", "a,b"));
  CHECK(range_is(d2, "b", NULL, "b,c,d"));
  CHECK(range_is(d2, "c", NULL, "c,d"));
  CHECK(range_is(d2, "zzz", NULL, ""));

  /* The empty key: as a start bound (non-NULL pointer, length 0) it is the
   * smallest key and so includes everything; as an end bound nothing is
   * below it. The empty key itself is a key that iterators return. */
  CHECK(range_is(d2, "", NULL, "a,b,c,d"));
  CHECK(range_is(d2, NULL, "", ""));
  CHECK(range_is(d2, "", "", ""));
  CHECK_OK(kv_put(d2, "", 0, "v", 1)); /* key "" -> "v" + "" */
  CHECK(range_is(d2, "", "b", ",a"));
  CHECK(range_is(d2, NULL, "a", ""));   /* just the empty key (prints as nothing) */
  {
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(d2, "", 0, "a", 1, &it));
    const void *k = NULL, *v = NULL;
    size_t kl = 9, vl = 9;
    CHECK_OK(kv_iter_next(it, &k, &kl, &v, &vl));
    CHECK(kl == 0 && vl == 1);
    CHECK_STATUS(kv_iter_next(it, &k, &kl, &v, &vl), KV_END);
    kv_iter_free(it);
  }
  CHECK(range_is(d2, "\x01", NULL, "a,b,c,d")); /* excludes "" */
  CHECK_OK(kv_delete(d2, "", 0));

  /* Deleted keys are hidden; overwritten keys show their newest value. */
  CHECK_OK(kv_delete(d2, "b", 1));
  CHECK(range_is(d2, NULL, NULL, "a,c,d"));

  /* KV_END repeats, and out pointers may be NULL. */
  {
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(d2, "d", 1, NULL, 0, &it));
    CHECK_OK(kv_iter_next(it, NULL, NULL, NULL, NULL));
    CHECK_STATUS(kv_iter_next(it, NULL, NULL, NULL, NULL), KV_END);
    CHECK_STATUS(kv_iter_next(it, NULL, NULL, NULL, NULL), KV_END);
    CHECK_STATUS(kv_iter_next(it, NULL, NULL, NULL, NULL), KV_END);
    kv_iter_free(it);
  }

  /* Snapshot: writes after the iterator is created are not seen, whether
   * they stay in the memtable or are flushed and compacted away. */
  {
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(d2, NULL, 0, NULL, 0, &it));
    put_keys(d2, "aa,e");      /* new keys */
    CHECK_OK(kv_delete(d2, "c", 1)); /* a deleted key */
    CHECK_OK(put_str(d2, "a", "changed")); /* an overwritten key */
    CHECK_OK(kv_flush(d2));
    CHECK_OK(kv_compact_range(d2, NULL, 0, NULL, 0));
    CHECK_OK(kv_wait_compactions(d2));
    char got[256];
    CHECK_STATUS(walk(it, got, sizeof got), KV_END);
    CHECK(strcmp(got, "a,c,d") == 0);
    kv_iter_free(it);
    /* A new iterator sees the new state. */
    kv_iter *it2 = NULL;
    CHECK_OK(kv_iter_new(d2, NULL, 0, NULL, 0, &it2));
    const void *k, *v;
    size_t kl, vl;
    CHECK_OK(kv_iter_next(it2, &k, &kl, &v, &vl));
    CHECK(kl == 1 && memcmp(k, "a", 1) == 0 && vl == 7 && memcmp(v, "changed", 7) == 0);
    kv_iter_free(it2);
    CHECK(range_is(d2, "aa", NULL, "aa,d,e"));
  }

  /* A snapshot taken from flushed tables stays stable too. */
  {
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(d2, "aa", 2, NULL, 0, &it));
    CHECK_OK(kv_delete(d2, "d", 1));
    CHECK_OK(kv_flush(d2));
    CHECK_OK(kv_compact_range(d2, NULL, 0, NULL, 0));
    char got[256];
    CHECK_STATUS(walk(it, got, sizeof got), KV_END);
    CHECK(strcmp(got, "aa,d,e") == 0);
    kv_iter_free(it);
    CHECK(range_is(d2, "aa", NULL, "aa,e"));
  }

  /* Many iterators at once over a larger, multi-source data set. */
  {
    int i;
    char k[32], v[40];
    int put_failures = 0;
    for (i = 0; i < 3000; i++) {
      snprintf(k, sizeof k, "m%05d", i);
      snprintf(v, sizeof v, "v%s", k);
      if (put_str(d2, k, v) != KV_OK) put_failures++;
      if (i == 1000) CHECK_OK(kv_flush(d2));
    }
    CHECK(put_failures == 0);
    kv_iter *its[4] = {NULL, NULL, NULL, NULL};
    for (i = 0; i < 4; i++) CHECK_OK(kv_iter_new(d2, "m", 1, "n", 1, &its[i]));
    int counts[4] = {0, 0, 0, 0}, r, bad = 0;
    for (r = 0; r < 3000; r++) {
      for (i = 0; i < 4; i++) {
        const void *kk, *vv;
        size_t kl, vl;
        if (kv_iter_next(its[i], &kk, &kl, &vv, &vl) != KV_OK) {
          bad++;
          continue;
        }
        snprintf(k, sizeof k, "m%05d", r);
        if (kl != 6 || memcmp(kk, k, 6) != 0 || vl != 7) bad++;
        counts[i]++;
      }
    }
    for (i = 0; i < 4; i++) {
      CHECK_STATUS(kv_iter_next(its[i], NULL, NULL, NULL, NULL), KV_END);
      CHECK(counts[i] == 3000);
      kv_iter_free(its[i]);
    }
    CHECK(bad == 0);
  }
  CHECK_OK(kv_close(d2));
}

static void test_null_arguments(kv_db *db) {
  void *v = NULL;
  size_t vl = 0;
  kv_batch *b = kv_batch_new();
  kv_iter *it = NULL;
  char *s = NULL;

  CHECK_STATUS(kv_put(NULL, "k", 1, "v", 1), KV_INVALID_ARGUMENT);
  CHECK(kv_last_error()[0] != '\0');
  CHECK_STATUS(kv_put(db, NULL, 1, "v", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_put(db, "k", 1, NULL, 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_get(NULL, "k", 1, &v, &vl), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_get(db, NULL, 1, &v, &vl), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_get(db, "k", 1, NULL, &vl), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_get(db, "k", 1, &v, NULL), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_delete(NULL, "k", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_delete(db, NULL, 1), KV_INVALID_ARGUMENT);
  kv_free(NULL);

  CHECK_STATUS(kv_batch_put(NULL, "k", 1, "v", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_batch_put(b, NULL, 1, "v", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_batch_put(b, "k", 1, NULL, 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_batch_delete(NULL, "k", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_batch_delete(b, NULL, 1), KV_INVALID_ARGUMENT);
  CHECK(kv_batch_count(b) == 0); /* failed calls added nothing */
  CHECK(kv_batch_count(NULL) == 0);
  kv_batch_clear(NULL);
  kv_batch_free(NULL);
  CHECK_STATUS(kv_write(NULL, b), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_write(db, NULL), KV_INVALID_ARGUMENT);

  it = (kv_iter *)&it;
  CHECK_STATUS(kv_iter_new(NULL, NULL, 0, NULL, 0, &it), KV_INVALID_ARGUMENT);
  CHECK(it == NULL);
  CHECK_STATUS(kv_iter_new(db, NULL, 0, NULL, 0, NULL), KV_INVALID_ARGUMENT);
  it = (kv_iter *)&it;
  CHECK_STATUS(kv_iter_new(db, NULL, 3, NULL, 0, &it), KV_INVALID_ARGUMENT);
  CHECK(it == NULL);
  CHECK_STATUS(kv_iter_new(db, NULL, 0, NULL, 3, &it), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_iter_next(NULL, NULL, NULL, NULL, NULL), KV_INVALID_ARGUMENT);
  kv_iter_free(NULL);

  CHECK_STATUS(kv_flush(NULL), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_wait_compactions(NULL), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_compact_range(NULL, NULL, 0, NULL, 0), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_compact_range(db, NULL, 2, NULL, 0), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_compact_range(db, NULL, 0, NULL, 2), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_property(NULL, "stats", &s), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_property(db, NULL, &s), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_property(db, "stats", NULL), KV_INVALID_ARGUMENT);
  CHECK(kv_last_error()[0] != '\0');

  /* The handle is still fine after all that. */
  CHECK_OK(put_str(db, "after-nulls", "ok"));
  CHECK(has_str(db, "after-nulls", "ok"));
  kv_batch_free(b);
}

struct thread_arg {
  kv_db *db;
  int id;
  int failures;
  char message[256];
};

static void *thread_worker(void *p) {
  struct thread_arg *a = p;
  int i;
  char k[32], v[32];
  /* A fresh thread has no message yet, even though the main thread has one. */
  if (kv_last_error()[0] != '\0') a->failures++;
  for (i = 0; i < 2000; i++) {
    snprintf(k, sizeof k, "t%d-%05d", a->id, i);
    snprintf(v, sizeof v, "v%d", i);
    if (put_str(a->db, k, v) != KV_OK) a->failures++;
    if (!has_str(a->db, k, v)) a->failures++;
  }
  /* This thread's error message is its own. */
  kv_put(NULL, "k", 1, "v", 1);
  snprintf(a->message, sizeof a->message, "%s", kv_last_error());
  return NULL;
}

static void test_threads(kv_db *db) {
  /* Leave an error message on the main thread. */
  CHECK_STATUS(kv_options_set(NULL, "main-thread-marker", "x"), KV_INVALID_ARGUMENT);
  char main_msg[512];
  snprintf(main_msg, sizeof main_msg, "%s", kv_last_error());

  struct thread_arg args[4];
  pthread_t t[4];
  int i;
  for (i = 0; i < 4; i++) {
    args[i].db = db;
    args[i].id = i;
    args[i].failures = 0;
    args[i].message[0] = '\0';
    CHECK(pthread_create(&t[i], NULL, thread_worker, &args[i]) == 0);
  }
  for (i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    CHECK(args[i].failures == 0);
    CHECK(args[i].message[0] != '\0');
  }
  /* Other threads' failures did not replace this thread's message. */
  CHECK(strcmp(kv_last_error(), main_msg) == 0);
  CHECK(has_str(db, "t3-01999", "v1999"));
}

static void test_close_with_open_iterator(void) {
  char path[4096];
  new_db_path(path, sizeof path, "close-iter");
  kv_db *db = open_db(path, NULL);
  int i;
  char k[32], v[40];
  for (i = 0; i < 500; i++) {
    snprintf(k, sizeof k, "c%04d", i);
    snprintf(v, sizeof v, "v%s", k);
    if (put_str(db, k, v) != KV_OK) tu_failed++;
    if (i == 250) CHECK_OK(kv_flush(db)); /* half in a table, half in the memtable */
  }
  kv_iter *it = NULL, *it2 = NULL;
  CHECK_OK(kv_iter_new(db, NULL, 0, NULL, 0, &it));
  CHECK_OK(kv_iter_new(db, "c0400", 5, NULL, 0, &it2));
  /* Read one entry before closing, the rest after. */
  const void *kk, *vv;
  size_t kl, vl;
  CHECK_OK(kv_iter_next(it, &kk, &kl, &vv, &vl));
  CHECK(kl == 5 && memcmp(kk, "c0000", 5) == 0);

  CHECK_OK(kv_close(db));

  /* The handle takes no more calls... */
  CHECK_STATUS(put_str(db, "x", "y"), KV_INVALID_ARGUMENT);
  CHECK(kv_last_error()[0] != '\0');
  /* ...but the directory is still held by the open iterators. */
  kv_db *db2 = (kv_db *)&db2;
  CHECK_STATUS(kv_open(path, NULL, &db2), KV_BUSY);
  CHECK(db2 == NULL);

  /* The iterators keep yielding every entry. */
  int n = 1, bad = 0, rc;
  while ((rc = kv_iter_next(it, &kk, &kl, &vv, &vl)) == KV_OK) {
    snprintf(k, sizeof k, "c%04d", n);
    if (kl != 5 || memcmp(kk, k, 5) != 0 || vl != 6 || memcmp(vv, "v", 1) != 0 ||
        memcmp((const char *)vv + 1, k, 5) != 0)
      bad++;
    n++;
  }
  CHECK_STATUS(rc, KV_END);
  CHECK(n == 500);
  CHECK(bad == 0);
  kv_iter_free(it);

  /* One iterator is still open: still busy. */
  db2 = NULL;
  CHECK_STATUS(kv_open(path, NULL, &db2), KV_BUSY);
  n = 0;
  while ((rc = kv_iter_next(it2, NULL, NULL, NULL, NULL)) == KV_OK) n++;
  CHECK_STATUS(rc, KV_END);
  CHECK(n == 100);
  kv_iter_free(it2);

  /* The last iterator is gone: the engine shut down and released LOCK. */
  db2 = NULL;
  CHECK_OK(kv_open(path, NULL, &db2));
  if (db2 != NULL) {
    CHECK(has_str(db2, "c0499", "vc0499"));
    CHECK(has_str(db2, "c0000", "vc0000"));
    CHECK_OK(kv_close(db2));
  }
}

static void test_use_after_close(void) {
  char path[4096];
  new_db_path(path, sizeof path, "closed");
  kv_db *db = open_db(path, NULL);
  CHECK_OK(put_str(db, "k", "v"));
  CHECK_OK(kv_close(db));

  void *v = (void *)&v;
  size_t vl = 3;
  kv_batch *b = kv_batch_new();
  kv_batch_put(b, "k", 1, "v", 1);
  kv_iter *it = (kv_iter *)&it;
  char *s = (char *)&s;

  CHECK_STATUS(put_str(db, "k", "v"), KV_INVALID_ARGUMENT);
  CHECK(kv_last_error()[0] != '\0');
  CHECK_STATUS(kv_get(db, "k", 1, &v, &vl), KV_INVALID_ARGUMENT);
  CHECK(v == NULL && vl == 0);
  CHECK_STATUS(kv_delete(db, "k", 1), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_write(db, b), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_iter_new(db, NULL, 0, NULL, 0, &it), KV_INVALID_ARGUMENT);
  CHECK(it == NULL);
  CHECK_STATUS(kv_flush(db), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_wait_compactions(db), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_compact_range(db, NULL, 0, NULL, 0), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_property(db, "stats", &s), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_close(db), KV_INVALID_ARGUMENT); /* closing twice */
  kv_batch_free(b);

  /* The data written before close is there. */
  db = open_db(path, NULL);
  CHECK(has_str(db, "k", "v"));
  CHECK_OK(kv_close(db));
}

static void test_maintenance(kv_db *db) {
  long long seq0 = int_property(db, "last-sequence");
  CHECK(seq0 >= 0);
  int i;
  char k[32];
  for (i = 0; i < 1000; i++) {
    snprintf(k, sizeof k, "mt%04d", i);
    if (put_str(db, k, "maintenance") != KV_OK) tu_failed++;
  }
  long long seq1 = int_property(db, "last-sequence");
  CHECK(seq1 >= seq0 + 1000);
  CHECK(int_property(db, "memtable-bytes") > 0);

  CHECK_OK(kv_flush(db));
  CHECK_OK(kv_wait_compactions(db));
  long long files = 0;
  for (i = 0; i <= 6; i++) {
    char name[32];
    snprintf(name, sizeof name, "num-files-at-level%d", i);
    long long n = int_property(db, name);
    CHECK(n >= 0);
    if (n > 0) files += n;
  }
  CHECK(files >= 1);
  CHECK(int_property(db, "total-table-bytes") > 0);

  /* Compact a range, then everything; data is unchanged. */
  for (i = 0; i < 1000; i += 2) {
    snprintf(k, sizeof k, "mt%04d", i);
    if (kv_delete(db, k, strlen(k)) != KV_OK) tu_failed++;
  }
  CHECK_OK(kv_flush(db));
  CHECK_OK(kv_compact_range(db, "mt0000", 6, "mt0500", 6));
  CHECK_OK(kv_compact_range(db, NULL, 0, NULL, 0));
  CHECK_OK(kv_compact_range(db, "", 0, "", 0)); /* an empty range */
  CHECK_OK(kv_wait_compactions(db));
  CHECK(is_absent_str(db, "mt0000"));
  CHECK(has_str(db, "mt0001", "maintenance"));
  CHECK(is_absent_str(db, "mt0998"));
  CHECK(has_str(db, "mt0999", "maintenance"));
  /* Flushing an empty memtable is fine. */
  CHECK_OK(kv_flush(db));
  CHECK_OK(kv_flush(db));

  char *s = NULL;
  CHECK_OK(kv_property(db, "stats", &s));
  CHECK(s != NULL && strlen(s) > 0);
  kv_free(s);

  s = (char *)&s;
  CHECK_STATUS(kv_property(db, "no-such-property", &s), KV_INVALID_ARGUMENT);
  CHECK(s == NULL || s == (char *)&s);
  CHECK(kv_last_error()[0] != '\0');
  s = NULL;
  CHECK_STATUS(kv_property(db, "num-files-at-level7", &s), KV_INVALID_ARGUMENT);
  s = NULL;
  CHECK_STATUS(kv_property(db, "", &s), KV_INVALID_ARGUMENT);
}

/* Data written with each memtable kind survives close and reopen, both from
 * the write-ahead log and from tables. */
static void test_memtables_and_recovery(void) {
  const char *kinds[] = {"skiplist", "rbtree", "avl"};
  size_t m;
  for (m = 0; m < 3; m++) {
    char path[4096], tag[32];
    snprintf(tag, sizeof tag, "mem-%s", kinds[m]);
    new_db_path(path, sizeof path, tag);
    kv_options *o = kv_options_new();
    CHECK_OK(kv_options_set(o, "memtable", kinds[m]));
    CHECK_OK(kv_options_set(o, "memtable_bytes", "256K")); /* several memtables */
    kv_db *db = open_db(path, o);
    int i, bad = 0;
    char k[32], v[64];
    for (i = 0; i < 6000; i++) {
      int j = (i * 7919) % 6000; /* not in key order */
      snprintf(k, sizeof k, "r%05d", j);
      snprintf(v, sizeof v, "value-%d-%s-padding-padding-padding", j, kinds[m]);
      if (put_str(db, k, v) != KV_OK) bad++;
    }
    for (i = 0; i < 6000; i += 3) {
      snprintf(k, sizeof k, "r%05d", i);
      if (kv_delete(db, k, strlen(k)) != KV_OK) bad++;
    }
    CHECK(bad == 0);
    CHECK_OK(kv_close(db));
    db = open_db(path, o);
    kv_iter *it = NULL;
    CHECK_OK(kv_iter_new(db, NULL, 0, NULL, 0, &it));
    int expect = 0, rc, count = 0;
    const void *kk, *vv;
    size_t kl, vl;
    bad = 0;
    while ((rc = kv_iter_next(it, &kk, &kl, &vv, &vl)) == KV_OK) {
      while (expect % 3 == 0) expect++;
      snprintf(k, sizeof k, "r%05d", expect);
      snprintf(v, sizeof v, "value-%d-%s-padding-padding-padding", expect, kinds[m]);
      if (kl != strlen(k) || memcmp(kk, k, kl) != 0 || vl != strlen(v) || memcmp(vv, v, vl) != 0)
        bad++;
      expect++;
      count++;
    }
    CHECK_STATUS(rc, KV_END);
    CHECK(count == 4000);
    CHECK(bad == 0);
    kv_iter_free(it);
    CHECK(is_absent_str(db, "r00003"));
    snprintf(v, sizeof v, "value-5999-%s-padding-padding-padding", kinds[m]);
    CHECK(has_str(db, "r05999", v));
    CHECK_OK(kv_close(db));
    kv_options_free(o);
  }
}

/* Issue 18 from C: read-only opens, transactions, kv_approximate_size. */
static void test_read_only_txn_and_sizes(void) {
  char path[4096];
  new_db_path(path, sizeof path, "issue18");
  kv_db *db = open_db(path, NULL);
  CHECK_OK(put_str(db, "balance", "10"));

  /* A transaction reads its own writes; a write by someone else to a key it
   * read makes its commit KV_CONFLICT, applying nothing. */
  kv_txn *t = NULL;
  CHECK_OK(kv_txn_begin(db, &t));
  void *v = NULL;
  size_t vl = 0;
  CHECK_OK(kv_txn_get(t, "balance", 7, &v, &vl));
  CHECK(vl == 2 && memcmp(v, "10", 2) == 0);
  kv_free(v);
  CHECK_OK(kv_txn_put(t, "balance", 7, "11", 2));
  CHECK_OK(kv_txn_put(t, "log", 3, "", 0));
  CHECK_OK(kv_txn_get(t, "balance", 7, &v, &vl));
  CHECK(vl == 2 && memcmp(v, "11", 2) == 0);
  kv_free(v);
  CHECK_OK(put_str(db, "balance", "99"));
  CHECK_STATUS(kv_txn_commit(t), KV_CONFLICT);
  CHECK(strstr(kv_last_error(), "conflict") != NULL);
  CHECK_STATUS(kv_txn_put(t, "x", 1, "y", 1), KV_INVALID_ARGUMENT); /* finished */
  kv_txn_free(t);
  CHECK(has_str(db, "balance", "99"));
  CHECK_STATUS(kv_get(db, "log", 3, &v, &vl), KV_NOT_FOUND);
  /* Without interference it commits, deletes included. */
  CHECK_OK(kv_txn_begin(db, &t));
  CHECK_OK(kv_txn_delete(t, "balance", 7));
  CHECK_OK(kv_txn_put(t, "log", 3, "done", 4));
  CHECK_STATUS(kv_txn_get(t, "balance", 7, &v, &vl), KV_NOT_FOUND);
  CHECK(v == NULL && vl == 0);
  CHECK_OK(kv_txn_commit(t));
  kv_txn_free(t);
  kv_txn_free(NULL);
  CHECK_STATUS(kv_get(db, "balance", 7, &v, &vl), KV_NOT_FOUND);
  CHECK(has_str(db, "log", "done"));
  CHECK_STATUS(kv_txn_begin(NULL, &t), KV_INVALID_ARGUMENT);
  CHECK_STATUS(kv_txn_commit(NULL), KV_INVALID_ARGUMENT);

  /* Sizes: nothing on disk until a flush. */
  uint64_t bytes = 1;
  CHECK_OK(kv_approximate_size(db, NULL, 0, NULL, 0, &bytes));
  CHECK(bytes == 0);
  char key[16], value[512];
  memset(value, 'v', sizeof value);
  for (int i = 0; i < 1000; i++) {
    snprintf(key, sizeof key, "k%04d", i);
    CHECK_OK(kv_put(db, key, strlen(key), value, sizeof value));
  }
  CHECK_OK(kv_flush(db));
  CHECK_OK(kv_approximate_size(db, NULL, 0, NULL, 0, &bytes));
  CHECK(bytes > 1000 * 512);
  uint64_t part = 0;
  CHECK_OK(kv_approximate_size(db, "k0000", 5, "k0500", 5, &part));
  CHECK(part > bytes / 4 && part < bytes * 3 / 4);
  CHECK_OK(kv_approximate_size(db, "z", 1, NULL, 0, &part));
  CHECK(part == 0);
  CHECK_STATUS(kv_approximate_size(db, NULL, 0, NULL, 0, NULL), KV_INVALID_ARGUMENT);
  CHECK_OK(kv_close(db));

  /* Read-only: two handles at once, a writer refused, writes refused. */
  kv_options *o = kv_options_new();
  CHECK_OK(kv_options_set(o, "read_only", "true"));
  kv_db *a = open_db(path, o), *b = open_db(path, o);
  CHECK(has_str(a, "log", "done"));
  CHECK(has_value(b, "k0999", 5, value, sizeof value));
  kv_db *w = NULL;
  CHECK_STATUS(kv_open(path, NULL, &w), KV_BUSY);
  CHECK(w == NULL);
  CHECK_STATUS(put_str(a, "x", "y"), KV_NOT_SUPPORTED);
  CHECK_STATUS(kv_flush(b), KV_NOT_SUPPORTED);
  CHECK_STATUS(kv_txn_begin(a, &t), KV_NOT_SUPPORTED);
  CHECK(t == NULL);
  CHECK_OK(kv_close(a));
  CHECK_OK(kv_close(b));
  kv_options_free(o);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  tu_make_temp_dir(argc > 1 ? argv[1] : NULL, "strata-capi", g_root, sizeof g_root);
  printf("capi_conformance: header %s, library %s, directory %s\n", KV_VERSION_STRING,
         kv_version() ? kv_version() : "(null)", g_root);

  /* Must come first: it checks the message before any call has failed. */
  printf("- versions and status codes\n");
  test_version_and_status();
  printf("- options\n");
  test_options();
  printf("- open and close\n");
  test_open_close();

  char path[4096];
  new_db_path(path, sizeof path, "main");
  kv_db *db = open_db(path, NULL);
  printf("- single keys\n");
  test_single_keys(db);
  printf("- batches\n");
  test_batches(db);
  test_batch_atomic_for_readers(db);
  printf("- iterators\n");
  test_iterators(db);
  printf("- NULL arguments\n");
  test_null_arguments(db);
  printf("- threads\n");
  test_threads(db);
  printf("- maintenance and properties\n");
  test_maintenance(db);
  CHECK_OK(kv_close(db));

  printf("- close with an open iterator\n");
  test_close_with_open_iterator();
  printf("- use after close\n");
  test_use_after_close();
  printf("- memtable kinds and recovery\n");
  test_memtables_and_recovery();
  printf("- read-only opens, transactions, approximate sizes\n");
  test_read_only_txn_and_sizes();

  if (tu_failed == 0) {
    tu_remove_tree(g_root);
  } else {
    fprintf(stderr, "keeping %s for inspection\n", g_root);
  }
  return tu_finish();
}
