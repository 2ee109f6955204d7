/* strata-delete-range-cost: deleting a range of keys with one
 * kv_delete_range against deleting them one by one, in C through kv.h.
 *
 * For each of --rounds rounds, and for each method (which goes first
 * alternates by round), a fresh database gets --num keys in key order
 * (16-byte zero-padded decimals, 100-byte values) and --num more after them
 * that survive, is flushed and compacted, and then:
 *   delete    the first --num keys go, either with one kv_delete_range or
 *             with kv_delete of each key in batches of 1000 (kv_write);
 *             timed until the call returns
 *   get       --lookups kv_get calls of random keys across both halves
 *             (deleted ones must be absent, survivors present), timed
 *   scan      one iterator over the whole key space, which must see exactly
 *             the survivors, timed
 *   compact   kv_compact_range over everything, timed
 *   get/scan  again, after the compaction
 * Prints the median of each figure per method and the ratios. Every answer
 * is checked; a wrong one fails the run (exit 1).
 *
 *   strata-delete-range-cost [--num N] [--lookups N] [--rounds N] [--dir DIR]
 *
 * Databases go to fresh directories under DIR (default $TMPDIR or /tmp) and
 * are destroyed as each round ends. Single-threaded. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "strata/kv.h"

enum { kKeyBytes = 16, kValueBytes = 100, kMaxRounds = 64, kBatch = 1000 };
enum { kDelete, kGet, kScan, kCompact, kGetAfter, kScanAfter, kFigures };
static const char *const kFigureNames[kFigures] = {
    "delete (s)", "get (ns/op)", "scan (s)", "compact (s)", "get after compact (ns/op)",
    "scan after compact (s)"};

static void make_key(uint64_t k, char out[kKeyBytes + 1]) {
  for (int i = kKeyBytes - 1; i >= 0; --i, k /= 10) out[i] = (char)('0' + k % 10);
  out[kKeyBytes] = '\0';
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int rc, const char *what) {
  if (rc != KV_OK) {
    fprintf(stderr, "%s: %s: %s\n", what, kv_status_name(rc), kv_last_error());
    exit(1);
  }
}

static uint64_t next_random(uint64_t *state) {
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, compare_doubles);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Random gets over both halves; returns ns per get. */
static double timed_gets(kv_db *db, uint64_t num, uint64_t lookups, uint64_t seed) {
  char key[kKeyBytes + 1];
  uint64_t state = seed | 1;
  double start = now_seconds();
  for (uint64_t i = 0; i < lookups; ++i) {
    uint64_t k = next_random(&state) % (2 * num);
    make_key(k, key);
    void *value = NULL;
    size_t len = 0;
    int rc = kv_get(db, key, kKeyBytes, &value, &len);
    if (rc != (k < num ? KV_NOT_FOUND : KV_OK)) {
      fprintf(stderr, "get %s: %s, want %s\n", key, kv_status_name(rc),
              k < num ? "KV_NOT_FOUND" : "KV_OK");
      exit(1);
    }
    kv_free(value);
  }
  return (now_seconds() - start) * 1e9 / (double)lookups;
}

static double timed_scan(kv_db *db, uint64_t num) {
  double start = now_seconds();
  kv_iter *it = NULL;
  check(kv_iter_new(db, NULL, 0, NULL, 0, &it), "kv_iter_new");
  const void *k, *v;
  size_t kl, vl;
  uint64_t n = 0;
  int rc;
  while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) ++n;
  kv_iter_free(it);
  if (rc != KV_END || n != num) {
    fprintf(stderr, "scan: %llu entries (%s), want %llu\n", (unsigned long long)n,
            kv_status_name(rc), (unsigned long long)num);
    exit(1);
  }
  return now_seconds() - start;
}

static void run(const char *dir, int method, uint64_t num, uint64_t lookups, uint64_t seed,
                double out[kFigures]) {
  kv_options *o = kv_options_new();
  check(kv_options_set(o, "compression", "none"), "kv_options_set");
  kv_db *db = NULL;
  check(kv_open(dir, o, &db), "kv_open");
  kv_options_free(o);
  char key[kKeyBytes + 1];
  unsigned char value[kValueBytes];
  memset(value, 'v', sizeof value);
  kv_batch *b = kv_batch_new();
  for (uint64_t k = 0; k < 2 * num; ++k) {
    make_key(k, key);
    check(kv_batch_put(b, key, kKeyBytes, value, kValueBytes), "kv_batch_put");
    if (kv_batch_count(b) == kBatch) {
      check(kv_write(db, b), "kv_write");
      kv_batch_clear(b);
    }
  }
  check(kv_write(db, b), "kv_write");
  kv_batch_clear(b);
  check(kv_flush(db), "kv_flush");
  check(kv_compact_range(db, NULL, 0, NULL, 0), "kv_compact_range");

  double start = now_seconds();
  if (method == 0) {
    char end[kKeyBytes + 1];
    make_key(0, key);
    make_key(num, end);
    check(kv_delete_range(db, key, kKeyBytes, end, kKeyBytes), "kv_delete_range");
  } else {
    for (uint64_t k = 0; k < num; ++k) {
      make_key(k, key);
      check(kv_batch_delete(b, key, kKeyBytes), "kv_batch_delete");
      if (kv_batch_count(b) == kBatch) {
        check(kv_write(db, b), "kv_write");
        kv_batch_clear(b);
      }
    }
    check(kv_write(db, b), "kv_write");
  }
  out[kDelete] = now_seconds() - start;
  kv_batch_free(b);
  out[kGet] = timed_gets(db, num, lookups, seed);
  out[kScan] = timed_scan(db, num);
  start = now_seconds();
  check(kv_compact_range(db, NULL, 0, NULL, 0), "kv_compact_range");
  out[kCompact] = now_seconds() - start;
  out[kGetAfter] = timed_gets(db, num, lookups, seed + 1);
  out[kScanAfter] = timed_scan(db, num);
  check(kv_close(db), "kv_close");
  check(kv_destroy(dir), "kv_destroy");
}

int main(int argc, char **argv) {
  uint64_t num = 1000000, lookups = 200000;
  int rounds = 3;
  const char *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--num") == 0) num = strtoull(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--lookups") == 0) lookups = strtoull(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--rounds") == 0) rounds = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--dir") == 0) parent = argv[i + 1];
    else {
      fprintf(stderr, "usage: %s [--num N] [--lookups N] [--rounds N] [--dir DIR]\n", argv[0]);
      return 2;
    }
  }
  if (rounds < 1 || rounds > kMaxRounds || num == 0 || lookups == 0) {
    fprintf(stderr, "bad arguments\n");
    return 2;
  }
  static double figures[2][kFigures][kMaxRounds];
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/strata-delete-range-cost-%d", parent, (int)getpid());
  for (int round = 0; round < rounds; ++round) {
    for (int turn = 0; turn < 2; ++turn) {
      const int method = (round + turn) % 2;  /* which goes first alternates */
      double out[kFigures];
      run(dir, method, num, lookups, 301 + (uint64_t)round, out);
      for (int f = 0; f < kFigures; ++f) figures[method][f][round] = out[f];
    }
  }
  printf("strata %s: %llu keys deleted (of %llu), %llu lookups, %d rounds, medians\n",
         kv_version(), (unsigned long long)num, (unsigned long long)(2 * num),
         (unsigned long long)lookups, rounds);
  printf("%-28s %16s %16s %10s\n", "figure", "kv_delete_range", "kv_delete each", "ratio");
  for (int f = 0; f < kFigures; ++f) {
    double range = median(figures[0][f], rounds), each = median(figures[1][f], rounds);
    printf("%-28s %16.4f %16.4f %10.2f\n", kFigureNames[f], range, each,
           range > 0 ? each / range : 0.0);
  }
  return 0;
}
