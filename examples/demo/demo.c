/*
 * demo.c (strata-demo) — shows what strata does with the workload it is
 * built for, an incoming stream of random writes, and checks every answer
 * while doing it. It writes N items with random 16-byte keys and 100-byte
 * values (single puts, or batches with --batch), reads every item back in a
 * different random order comparing each value, scans a key range and the
 * whole database with iterators checking order and values, closes, times the
 * reopen (recovery), and checks a sample again. Throughput (ops/s, MB/s) and
 * per-operation latency (p50, p99, p99.9, max; each call timed with
 * CLOCK_MONOTONIC) are printed for the fill and the reads. Keys and values
 * are computed from a seed, so nothing needs to be kept in memory to check
 * them and a run can be repeated with --seed. Any wrong answer or error makes
 * the exit status non-zero.
 *
 * Usage: strata-demo [--count N] [--dir PATH] [--keep] [--value-bytes N]
 *                    [--sync] [--memtable skiplist|rbtree|avl] [--batch K]
 *                    [--seed S] [--stats]
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "strata/kv.h"

#define KEY_BYTES 16
#define MAX_REPORTED_MISMATCHES 5

struct config {
  uint64_t count;
  const char *dir;
  int keep;
  size_t value_bytes;
  int sync;
  const char *memtable;
  uint64_t batch;
  uint64_t seed;
  int stats;
};

static uint64_t mismatches = 0;

/* ---- Deterministic keys and values -------------------------------------- */

static uint64_t mix64(uint64_t x) { /* splitmix64's finaliser */
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

static void put_be64(unsigned char *p, uint64_t v) {
  int i;
  for (i = 7; i >= 0; i--) {
    p[i] = (unsigned char)v;
    v >>= 8;
  }
}

static uint64_t get_be64(const unsigned char *p) {
  uint64_t v = 0;
  int i;
  for (i = 0; i < 8; i++) v = (v << 8) | p[i];
  return v;
}

/* Item i's key: 16 random-looking bytes. */
static void make_key(uint64_t seed, uint64_t i, unsigned char key[KEY_BYTES]) {
  uint64_t h = mix64(seed ^ mix64(i));
  put_be64(key, h);
  put_be64(key + 8, mix64(h ^ i));
}

/* The value belonging to a key, computed from the key alone so that a scan
 * can check values without knowing the item number. */
static void make_value(const unsigned char key[KEY_BYTES], unsigned char *val, size_t n) {
  uint64_t x = get_be64(key) ^ (get_be64(key + 8) * 31) ^ 0x5DEECE66Dull;
  size_t i = 0;
  while (i < n) {
    x = mix64(x);
    size_t chunk = n - i < 8 ? n - i : 8;
    memcpy(val + i, &x, chunk);
    i += chunk;
  }
}

/* ---- Timing and statistics ----------------------------------------------- */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void format_ns(char *buf, size_t cap, uint64_t ns) {
  if (ns < 10000) {
    snprintf(buf, cap, "%.2f us", ns / 1e3);
  } else if (ns < 1000000) {
    snprintf(buf, cap, "%.1f us", ns / 1e3);
  } else {
    snprintf(buf, cap, "%.2f ms", ns / 1e6);
  }
}

/* Sorts the latencies and prints the percentiles. */
static void print_latency(const char *unit, uint64_t *lat, uint64_t n) {
  if (n == 0) return;
  qsort(lat, (size_t)n, sizeof *lat, cmp_u64);
  const double ps[] = {0.50, 0.99, 0.999};
  const char *names[] = {"p50", "p99", "p99.9"};
  char text[32];
  uint64_t sum = 0, i;
  for (i = 0; i < n; i++) sum += lat[i];
  format_ns(text, sizeof text, sum / n);
  printf("        latency per %s: mean %s", unit, text);
  for (i = 0; i < 3; i++) {
    uint64_t idx = (uint64_t)(ps[i] * (double)n + 0.999999);
    idx = idx == 0 ? 0 : idx - 1;
    if (idx >= n) idx = n - 1;
    format_ns(text, sizeof text, lat[idx]);
    printf("  %s %s", names[i], text);
  }
  format_ns(text, sizeof text, lat[n - 1]);
  printf("  max %s\n", text);
}

static void print_throughput(const char *phase, uint64_t items, const char *what,
                             uint64_t elapsed_ns, size_t item_bytes) {
  double s = elapsed_ns / 1e9;
  printf("%-7s %10" PRIu64 " %-8s %8.2f s %12.0f ops/s %9.1f MB/s\n", phase, items, what, s,
         items / s, (double)items * (double)item_bytes / s / 1e6);
}

/* ---- Errors --------------------------------------------------------------- */

static int failed(const char *what, int rc) {
  fprintf(stderr, "error: %s: %s: %s\n", what, kv_status_name(rc), kv_last_error());
  return 1;
}

static void mismatch(const char *what, const unsigned char *key) {
  if (++mismatches <= MAX_REPORTED_MISMATCHES) {
    fprintf(stderr, "MISMATCH: %s for key %016" PRIx64 "%016" PRIx64 "\n", what, get_be64(key),
            get_be64(key + 8));
  }
}

/* ---- Phases ---------------------------------------------------------------- */

static int fill(kv_db *db, const struct config *c) {
  uint64_t per = c->batch > 1 ? c->batch : 1;
  uint64_t ops = (c->count + per - 1) / per, op = 0, i = 0;
  uint64_t *lat = malloc((size_t)(ops ? ops : 1) * sizeof *lat);
  unsigned char *val = malloc(c->value_bytes ? c->value_bytes : 1);
  unsigned char key[KEY_BYTES];
  kv_batch *b = per > 1 ? kv_batch_new() : NULL;
  int rc = KV_OK;
  if (lat == NULL || val == NULL || (per > 1 && b == NULL)) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  uint64_t start = now_ns();
  while (i < c->count) {
    uint64_t t;
    if (per == 1) {
      make_key(c->seed, i, key);
      make_value(key, val, c->value_bytes);
      t = now_ns();
      rc = kv_put(db, key, KEY_BYTES, val, c->value_bytes);
      lat[op++] = now_ns() - t;
      i++;
      if (rc != KV_OK) break;
    } else {
      uint64_t end = i + per < c->count ? i + per : c->count;
      kv_batch_clear(b);
      for (; i < end; i++) {
        make_key(c->seed, i, key);
        make_value(key, val, c->value_bytes);
        rc = kv_batch_put(b, key, KEY_BYTES, val, c->value_bytes);
        if (rc != KV_OK) break;
      }
      if (rc != KV_OK) break;
      t = now_ns();
      rc = kv_write(db, b);
      lat[op++] = now_ns() - t;
      if (rc != KV_OK) break;
    }
  }
  uint64_t elapsed = now_ns() - start;
  kv_batch_free(b);
  free(val);
  if (rc != KV_OK) {
    free(lat);
    return failed(per > 1 ? "kv_write" : "kv_put", rc);
  }
  print_throughput("fill", c->count, per > 1 ? "items" : "puts", elapsed,
                   KEY_BYTES + c->value_bytes);
  if (per > 1) {
    printf("        %" PRIu64 " batches of up to %" PRIu64 " items\n", ops, per);
    print_latency("batch (kv_write)", lat, ops);
  } else {
    print_latency("put", lat, ops);
  }
  free(lat);
  return 0;
}

/* Reads the given items in the given order, checking each value; n latencies
 * go to lat when it is not NULL. */
static int read_items(kv_db *db, const struct config *c, const uint32_t *order, uint64_t n,
                      uint64_t *lat, uint64_t *elapsed) {
  unsigned char key[KEY_BYTES];
  unsigned char *want = malloc(c->value_bytes ? c->value_bytes : 1);
  uint64_t j, start = now_ns();
  if (want == NULL) return 1;
  for (j = 0; j < n; j++) {
    void *val = NULL;
    size_t len = 0;
    make_key(c->seed, order[j], key);
    uint64_t t = now_ns();
    int rc = kv_get(db, key, KEY_BYTES, &val, &len);
    if (lat) lat[j] = now_ns() - t;
    if (rc == KV_NOT_FOUND) {
      mismatch("kv_get found nothing", key);
      continue;
    }
    if (rc != KV_OK) {
      free(want);
      return failed("kv_get", rc);
    }
    make_value(key, want, c->value_bytes);
    if (len != c->value_bytes || memcmp(val, want, len) != 0) mismatch("wrong value", key);
    kv_free(val);
  }
  *elapsed = now_ns() - start;
  free(want);
  return 0;
}

/* A random permutation of 0..n-1. */
static uint32_t *shuffled(uint64_t n, uint64_t seed) {
  uint32_t *p = malloc((size_t)(n ? n : 1) * sizeof *p);
  uint64_t i, x = seed;
  if (p == NULL) return NULL;
  for (i = 0; i < n; i++) p[i] = (uint32_t)i;
  for (i = n; i > 1; i--) {
    x = mix64(x);
    uint64_t j = x % i;
    uint32_t tmp = p[i - 1];
    p[i - 1] = p[j];
    p[j] = tmp;
  }
  return p;
}

static int read_all(kv_db *db, const struct config *c) {
  uint32_t *order = shuffled(c->count, c->seed ^ 0xABCDEF);
  uint64_t *lat = malloc((size_t)(c->count ? c->count : 1) * sizeof *lat);
  uint64_t elapsed = 0;
  if (order == NULL || lat == NULL) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  uint64_t before = mismatches;
  int rc = read_items(db, c, order, c->count, lat, &elapsed);
  if (rc == 0) {
    print_throughput("read", c->count, "gets", elapsed, KEY_BYTES + c->value_bytes);
    print_latency("get", lat, c->count);
    if (mismatches > before) printf("        %" PRIu64 " MISMATCHES\n", mismatches - before);
  }
  free(order);
  free(lat);
  return rc;
}

/* Scans [lo, hi) (NULL for open bounds), checking order, bounds and values;
 * the number of entries must be `expected`. */
static int scan(kv_db *db, const struct config *c, const char *label, const unsigned char *lo,
                size_t lo_len, const unsigned char *hi, size_t hi_len, uint64_t expected) {
  kv_iter *it = NULL;
  unsigned char prev[KEY_BYTES], *want = malloc(c->value_bytes ? c->value_bytes : 1);
  uint64_t n = 0, start = now_ns();
  const void *k, *v;
  size_t kl, vl;
  int rc = kv_iter_new(db, lo, lo_len, hi, hi_len, &it);
  if (rc != KV_OK || want == NULL) {
    free(want);
    return failed("kv_iter_new", rc);
  }
  while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) {
    const unsigned char *key = k;
    if (kl != KEY_BYTES) {
      static const unsigned char none[KEY_BYTES];
      mismatch("key of the wrong length in a scan", none);
      continue;
    }
    if (n > 0 && memcmp(prev, key, KEY_BYTES) >= 0) mismatch("scan out of order", key);
    if ((lo && memcmp(key, lo, lo_len) < 0) || (hi && memcmp(key, hi, hi_len) >= 0))
      mismatch("scan outside its range", key);
    make_value(key, want, c->value_bytes);
    if (vl != c->value_bytes || memcmp(v, want, vl) != 0) mismatch("wrong value in a scan", key);
    memcpy(prev, key, KEY_BYTES);
    n++;
  }
  uint64_t elapsed = now_ns() - start;
  kv_iter_free(it);
  free(want);
  if (rc != KV_END) return failed("kv_iter_next", rc);
  print_throughput("scan", n, "entries", elapsed, KEY_BYTES + c->value_bytes);
  printf("        %s: %" PRIu64 " entries, expected %" PRIu64 "%s\n", label, n, expected,
         n == expected ? "" : "  MISMATCH");
  if (n != expected) mismatches++;
  return 0;
}

static int print_stats(kv_db *db) {
  char *s = NULL;
  int rc = kv_property(db, "stats", &s);
  if (rc != KV_OK) return failed("kv_property(stats)", rc);
  printf("\n%s\n", s);
  kv_free(s);
  return 0;
}

/* ---- Set-up ------------------------------------------------------------------ */

static void usage(FILE *f) {
  fprintf(f,
          "usage: strata-demo [options]\n"
          "  --count N          items to write (default 1000000)\n"
          "  --dir PATH         database directory, must not hold a database\n"
          "                     (default: a fresh directory under /tmp, removed at the end)\n"
          "  --keep             keep the default directory\n"
          "  --value-bytes N    value size (default 100)\n"
          "  --sync             fsync every write (slow: consider --batch or a smaller --count)\n"
          "  --memtable KIND    skiplist (default), rbtree or avl\n"
          "  --batch K          write K items per kv_write (default 1: single puts)\n"
          "  --seed S           seed for keys, values and read order\n"
          "  --stats            print the engine's statistics before closing\n");
}

static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end != '\0' || s[0] == '-') return 0;
  *out = v;
  return 1;
}

static int parse_args(int argc, char **argv, struct config *c) {
  int i;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    uint64_t v;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      exit(0);
    } else if (strcmp(a, "--keep") == 0) {
      c->keep = 1;
    } else if (strcmp(a, "--sync") == 0) {
      c->sync = 1;
    } else if (strcmp(a, "--stats") == 0) {
      c->stats = 1;
    } else if (next == NULL) {
      fprintf(stderr, "unknown option or missing value: %s\n", a);
      return 0;
    } else if (strcmp(a, "--dir") == 0) {
      c->dir = argv[++i];
    } else if (strcmp(a, "--memtable") == 0) {
      c->memtable = argv[++i];
    } else if (strcmp(a, "--count") == 0 && parse_u64(next, &v) && v <= UINT32_MAX) {
      c->count = v;
      i++;
    } else if (strcmp(a, "--value-bytes") == 0 && parse_u64(next, &v) && v <= (1u << 30)) {
      c->value_bytes = (size_t)v;
      i++;
    } else if (strcmp(a, "--batch") == 0 && parse_u64(next, &v) && v >= 1) {
      c->batch = v;
      i++;
    } else if (strcmp(a, "--seed") == 0 && parse_u64(next, &v)) {
      c->seed = v;
      i++;
    } else {
      fprintf(stderr, "bad option: %s %s\n", a, next);
      return 0;
    }
  }
  return 1;
}

/* Removes the database directory the demo made (it holds only files). */
static void remove_dir(const char *path) {
  DIR *d = opendir(path);
  struct dirent *e;
  char file[4096];
  if (d == NULL) return;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    int n = snprintf(file, sizeof file, "%s/%s", path, e->d_name);
    if (n < 0 || (size_t)n >= sizeof file || unlink(file) != 0)
      fprintf(stderr, "warning: cannot remove %s/%s\n", path, e->d_name);
  }
  closedir(d);
  if (rmdir(path) != 0) fprintf(stderr, "warning: cannot remove %s\n", path);
}

static int open_db(const char *dir, const struct config *c, int must_be_new, kv_db **db) {
  kv_options *o = kv_options_new();
  int rc;
  if (o == NULL) return failed("kv_options_new", KV_NO_MEMORY);
  if ((rc = kv_options_set(o, "sync", c->sync ? "true" : "false")) != KV_OK ||
      (rc = kv_options_set(o, "memtable", c->memtable)) != KV_OK ||
      (rc = kv_options_set(o, "error_if_exists", must_be_new ? "true" : "false")) != KV_OK) {
    kv_options_free(o);
    return failed("kv_options_set", rc);
  }
  rc = kv_open(dir, o, db);
  kv_options_free(o);
  return rc == KV_OK ? 0 : failed("kv_open", rc);
}

static int run(const char *dir, const struct config *c) {
  kv_db *db = NULL;
  if (open_db(dir, c, 1, &db)) return 1;
  if (fill(db, c) || read_all(db, c)) {
    kv_close(db);
    return 1;
  }

  /* A quarter of the key space by the first byte, then everything. */
  const unsigned char lo[1] = {0x40}, hi[1] = {0x80};
  unsigned char key[KEY_BYTES];
  uint64_t i, in_range = 0;
  for (i = 0; i < c->count; i++) {
    make_key(c->seed, i, key);
    if (key[0] >= 0x40 && key[0] < 0x80) in_range++;
  }
  if (scan(db, c, "range [40, 80)", lo, 1, hi, 1, in_range) ||
      scan(db, c, "all keys", NULL, 0, NULL, 0, c->count)) {
    kv_close(db);
    return 1;
  }
  if (c->stats && print_stats(db)) {
    kv_close(db);
    return 1;
  }
  int rc = kv_close(db);
  if (rc != KV_OK) return failed("kv_close", rc);

  /* Reopen: recovery replays whatever the logs hold that tables do not. */
  uint64_t t = now_ns();
  if (open_db(dir, c, 0, &db)) return 1;
  uint64_t reopen = now_ns() - t;
  printf("reopen  kv_open took %.1f ms\n", reopen / 1e6);

  uint64_t sample = c->count < 100000 ? c->count : 100000, elapsed = 0;
  uint32_t *order = shuffled(c->count, c->seed ^ 0x5A5A5A);
  if (order == NULL) return 1;
  uint64_t before = mismatches;
  rc = read_items(db, c, order, sample, NULL, &elapsed);
  free(order);
  if (rc) {
    kv_close(db);
    return 1;
  }
  /* And a key that was never written is absent. */
  void *v = NULL;
  size_t vl = 0;
  make_key(c->seed ^ 1, c->count + 1, key);
  rc = kv_get(db, key, KEY_BYTES, &v, &vl);
  kv_free(v);
  if (rc == KV_OK) mismatch("a key never written was found", key);
  else if (rc != KV_NOT_FOUND) return failed("kv_get", rc);
  printf("verify  %" PRIu64 " random items after reopen: %s\n", sample,
         mismatches == before ? "all correct" : "MISMATCHES");
  rc = kv_close(db);
  return rc == KV_OK ? 0 : failed("kv_close", rc);
}

int main(int argc, char **argv) {
  struct config c = {1000000, NULL, 0, 100, 0, "skiplist", 1, 0, 0};
  char tmp[4096];
  c.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (!parse_args(argc, argv, &c)) {
    usage(stderr);
    return 2;
  }
  const char *dir = c.dir;
  if (dir == NULL) {
    const char *parent = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/strata-demo-XXXXXX", parent && *parent ? parent : "/tmp");
    if (mkdtemp(tmp) == NULL) {
      fprintf(stderr, "error: mkdtemp %s: %s\n", tmp, strerror(errno));
      return 1;
    }
    dir = tmp;
  }

  printf("strata %s demo: %" PRIu64 " items, %d-byte random keys, %zu-byte values\n",
         kv_version(), c.count, KEY_BYTES, c.value_bytes);
  printf("memtable %s, sync %s, %s, seed %" PRIu64 "\n", c.memtable, c.sync ? "on" : "off",
         c.batch > 1 ? "batched writes" : "single puts", c.seed);
  printf("directory %s\n\n", dir);

  int rc = run(dir, &c);
  if (rc == 0 && mismatches > 0) rc = 1;

  if (c.dir == NULL && !c.keep && rc == 0) {
    remove_dir(dir);
  } else {
    printf("\nthe database is in %s\n", dir);
  }
  if (mismatches > 0) printf("FAILED: %" PRIu64 " mismatches\n", mismatches);
  else if (rc != 0) printf("FAILED\n");
  else printf("\nall %" PRIu64 " items verified\n", c.count);
  return rc;
}
