/* strata-multiget-cost: the per-key cost of kv_multi_get beside kv_get, in C.
 *
 * Loads --num keys (16-byte zero-padded decimals, 100-byte values derived
 * from the key), flushes and compacts so every read goes through tables and
 * the block cache, then, for each batch size, takes turns over --rounds
 * rounds: the same random keys looked up once by single kv_get calls (each
 * value freed with kv_free) and once by kv_multi_get calls of that many keys.
 * Which method goes first alternates by round. Every value is checked, so a
 * wrong answer fails the run (exit 1). Prints the median nanoseconds per key
 * of each method and their ratio, for keys spread uniformly over the whole
 * key space and for clustered keys (each batch's keys drawn from a window of
 * 8 x batch consecutive keys, as lookups through a secondary index often are).
 *
 *   strata-multiget-cost [--num N] [--lookups N] [--rounds N] [--dir DIR]
 *
 * The database goes to a fresh directory under DIR (default $TMPDIR or /tmp)
 * and is destroyed at the end. Single-threaded; nothing is shared. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strata/kv.h"

enum { kKeyBytes = 16, kValueBytes = 100, kMaxRounds = 64 };

/* Key k: its 16 decimal digits, zero-padded (so bytewise order is numeric). */
static void make_key(uint64_t k, char out[kKeyBytes + 1]) {
  for (int i = kKeyBytes - 1; i >= 0; --i, k /= 10) out[i] = (char)('0' + k % 10);
  out[kKeyBytes] = '\0';
}

static void make_value(uint64_t k, unsigned char out[kValueBytes]) {
  uint64_t x = k * 0x9E3779B97F4A7C15ull + 1;
  for (int i = 0; i < kValueBytes; ++i) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    out[i] = (unsigned char)(x >> 56);
  }
}

static uint64_t next_random(uint64_t *state) {
  *state += 0x9E3779B97F4A7C15ull;
  uint64_t z = *state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int rc) {
  fprintf(stderr, "strata-multiget-cost: %s: %s (%s)\n", what, kv_status_name(rc), kv_last_error());
  exit(2);
}

static void wrong(const char *how, uint64_t k) {
  fprintf(stderr, "strata-multiget-cost: WRONG ANSWER from %s for key %llu\n", how,
          (unsigned long long)k);
  exit(1);
}

static int compare_doubles(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof(double), compare_doubles);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ns per key of `lookups` single gets of the keys in `ids`. */
static double time_single(kv_db *db, const uint64_t *ids, size_t lookups) {
  char key[kKeyBytes + 1];
  unsigned char want[kValueBytes];
  const uint64_t start = now_ns();
  for (size_t i = 0; i < lookups; ++i) {
    make_key(ids[i], key);
    void *val = NULL;
    size_t len = 0;
    const int rc = kv_get(db, key, kKeyBytes, &val, &len);
    if (rc != KV_OK) die("kv_get", rc);
    make_value(ids[i], want);
    if (len != kValueBytes || memcmp(val, want, kValueBytes) != 0) wrong("kv_get", ids[i]);
    kv_free(val);
  }
  return (double)(now_ns() - start) / (double)lookups;
}

/* ns per key of the same lookups as kv_multi_get calls of `batch` keys. */
static double time_multi(kv_db *db, const uint64_t *ids, size_t lookups, size_t batch) {
  char *keys = malloc(batch * kKeyBytes);
  size_t *key_lens = malloc(batch * sizeof(size_t));
  const void **vals = malloc(batch * sizeof(void *));
  size_t *val_lens = malloc(batch * sizeof(size_t));
  int *statuses = malloc(batch * sizeof(int));
  if (!keys || !key_lens || !vals || !val_lens || !statuses) die("malloc", KV_IO_ERROR);
  unsigned char want[kValueBytes];
  char key[kKeyBytes + 1];
  const uint64_t start = now_ns();
  for (size_t done = 0; done < lookups; done += batch) {
    const size_t n = lookups - done < batch ? lookups - done : batch;
    for (size_t i = 0; i < n; ++i) {
      make_key(ids[done + i], key);
      memcpy(keys + i * kKeyBytes, key, kKeyBytes);
      key_lens[i] = kKeyBytes;
    }
    void *buffer = NULL;
    const int rc = kv_multi_get(db, NULL, n, keys, key_lens, &buffer, vals, val_lens, statuses);
    if (rc != KV_OK) die("kv_multi_get", rc);
    for (size_t i = 0; i < n; ++i) {
      make_value(ids[done + i], want);
      if (statuses[i] != KV_OK || val_lens[i] != kValueBytes ||
          memcmp(vals[i], want, kValueBytes) != 0) {
        wrong("kv_multi_get", ids[done + i]);
      }
    }
    kv_free(buffer);
  }
  const double ns = (double)(now_ns() - start) / (double)lookups;
  free(keys);
  free(key_lens);
  free(vals);
  free(val_lens);
  free(statuses);
  return ns;
}

int main(int argc, char **argv) {
  uint64_t num = 1000000;
  size_t lookups = 200000;
  int rounds = 5;
  const char *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  for (int i = 1; i < argc; ++i) {
    if (i + 1 < argc && strcmp(argv[i], "--num") == 0) {
      num = strtoull(argv[++i], NULL, 10);
    } else if (i + 1 < argc && strcmp(argv[i], "--lookups") == 0) {
      lookups = strtoull(argv[++i], NULL, 10);
    } else if (i + 1 < argc && strcmp(argv[i], "--rounds") == 0) {
      rounds = atoi(argv[++i]);
    } else if (i + 1 < argc && strcmp(argv[i], "--dir") == 0) {
      parent = argv[++i];
    } else {
      fprintf(stderr,
              "usage: strata-multiget-cost [--num N] [--lookups N] [--rounds N] [--dir DIR]\n");
      return 2;
    }
  }
  if (num == 0 || lookups == 0 || rounds < 1 || rounds > kMaxRounds) {
    fprintf(stderr, "strata-multiget-cost: --num and --lookups must be > 0, --rounds 1..%d\n",
            kMaxRounds);
    return 2;
  }

  char dir[4096];
  snprintf(dir, sizeof(dir), "%s/strata-multiget-XXXXXX", parent);
  if (!mkdtemp(dir)) {
    perror("strata-multiget-cost: mkdtemp");
    return 2;
  }
  char path[4200];
  snprintf(path, sizeof(path), "%s/db", dir);

  kv_options *opts = kv_options_new();
  if (!opts) die("kv_options_new", KV_IO_ERROR);
  int rc;
  /* The benchmark's matched settings (docs/BENCHMARKS.md). */
  if ((rc = kv_options_set(opts, "memtable_bytes", "67108864")) != KV_OK ||
      (rc = kv_options_set(opts, "block_cache_bytes", "67108864")) != KV_OK ||
      (rc = kv_options_set(opts, "bloom_bits_per_key", "10")) != KV_OK ||
      (rc = kv_options_set(opts, "compression", "none")) != KV_OK) {
    die("kv_options_set", rc);
  }
  kv_db *db = NULL;
  if ((rc = kv_open(path, opts, &db)) != KV_OK) die("kv_open", rc);

  /* Load in a random order (a full-period LCG over [0, num)'s power-of-two
   * cover), so tables overlap as after a random fill. */
  uint64_t span = 1;
  while (span < num) span <<= 1;
  char key[kKeyBytes + 1];
  unsigned char value[kValueBytes];
  uint64_t x = 0;
  for (uint64_t done = 0; done < num;) {
    x = (x * 6364136223846793005ull + 1442695040888963407ull) & (span - 1);
    if (x >= num) continue;
    make_key(x, key);
    make_value(x, value);
    if ((rc = kv_put(db, key, kKeyBytes, value, kValueBytes)) != KV_OK) die("kv_put", rc);
    ++done;
  }
  if ((rc = kv_flush(db)) != KV_OK) die("kv_flush", rc);
  if ((rc = kv_wait_compactions(db)) != KV_OK) die("kv_wait_compactions", rc);

  uint64_t *ids = malloc(lookups * sizeof(uint64_t));
  if (!ids) die("malloc", KV_IO_ERROR);
  uint64_t state = 42;
  /* Warm the cache and the page cache with one untimed pass. */
  for (size_t i = 0; i < lookups; ++i) ids[i] = next_random(&state) % num;
  time_single(db, ids, lookups);

  printf("strata-multiget-cost: %llu keys, %zu lookups per method per round, %d rounds\n",
         (unsigned long long)num, lookups, rounds);
  printf("| keys | keys per kv_multi_get | kv_get ns/key | kv_multi_get ns/key | multi / single |\n");
  printf("|---|---:|---:|---:|---:|\n");
  const size_t batches[] = {16, 128, 1024};
  for (int clustered = 0; clustered < 2; ++clustered)
  for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); ++b) {
    double single[kMaxRounds], multi[kMaxRounds];
    const uint64_t window = 8 * (uint64_t)batches[b] < num ? 8 * (uint64_t)batches[b] : num;
    for (int r = 0; r < rounds; ++r) {
      uint64_t base = 0;
      for (size_t i = 0; i < lookups; ++i) {
        if (!clustered) {
          ids[i] = next_random(&state) % num;
          continue;
        }
        if (i % batches[b] == 0) base = next_random(&state) % (num - window + 1);
        ids[i] = base + next_random(&state) % window;
      }
      if (r % 2 == 0) {
        single[r] = time_single(db, ids, lookups);
        multi[r] = time_multi(db, ids, lookups, batches[b]);
      } else {
        multi[r] = time_multi(db, ids, lookups, batches[b]);
        single[r] = time_single(db, ids, lookups);
      }
    }
    const double s = median(single, rounds), m = median(multi, rounds);
    printf("| %s | %zu | %.0f | %.0f | %.2f |\n", clustered ? "clustered" : "uniform", batches[b], s,
           m, m / s);
    fflush(stdout);
  }

  free(ids);
  if ((rc = kv_close(db)) != KV_OK) die("kv_close", rc);
  if ((rc = kv_destroy(path)) != KV_OK) die("kv_destroy", rc);
  kv_options_free(opts);
  if (remove(dir) != 0) perror("strata-multiget-cost: removing the directory");
  return 0;
}
