/* c_floor.c — the C-level floor under the Python bindings' put and get:
 * the same keys and values, the same calls the bindings make, from a C loop
 * with no Python around it. put_breakdown.py runs it beside the Python
 * loops, so that "binding cost" = Python per item - C per item, measured on
 * the same data in the same run.
 *
 *   c_floor ENGINE LIBRARY DB_DIR DATA_FILE
 *
 * ENGINE is "strata" (LIBRARY: libstrata.so, through kv.h: kv_put, kv_get,
 * kv_free) or "leveldb" (LIBRARY: the libleveldb bundled in plyvel's wheel,
 * through LevelDB's own C API: leveldb_put, leveldb_get, leveldb_free —
 * plyvel itself calls the C++ API, which those wrap one to one). Both are
 * loaded with dlopen, so one binary serves both and nothing links at build
 * time. DB_DIR must not exist; the database is created with the matched
 * settings of the benchmark (64 MiB write buffer, 64 MiB block cache, bloom
 * filter of 10 bits per key, no compression, writes not synced).
 *
 * DATA_FILE, written by put_breakdown.py: three little-endian u64 counts
 * (puts, gets of present keys, gets of missing keys), a pool of 1024 values
 * of 100 bytes (put i uses value i % 1024), then the 16-byte keys of each
 * phase in order.
 *
 * Prints one JSON object: per phase, nanoseconds per operation of the
 * calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID: what the caller spends,
 * unaffected by waiting for a CPU on a loaded machine) and of wall time.
 * Single-threaded; exits non-zero with a message on any failure.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { KEY_LEN = 16, VALUE_LEN = 100, VALUE_POOL = 1024 };

static void die(const char *what, const char *detail) {
  fprintf(stderr, "c_floor: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(1);
}

static void *symbol(void *lib, const char *name) {
  void *p = dlsym(lib, name);
  if (p == NULL) die("missing symbol", name);
  return p;
}

static uint64_t now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One engine behind three calls, so the timed loops are the same for both. */
typedef struct {
  int (*put)(void *self, const char *k, const char *v);
  /* 1 found (and the value's copy freed, as a binding does after copying
   * it into a Python object), 0 absent. */
  int (*get)(void *self, const char *k);
  void (*close)(void *self);
  void *state;
} engine;

/* ---- strata, through kv.h -------------------------------------------------- */

typedef struct {
  void *db;
  int (*kv_put)(void *, const void *, size_t, const void *, size_t);
  int (*kv_get)(void *, const void *, size_t, void **, size_t *);
  void (*kv_free)(void *);
  int (*kv_close)(void *);
  const char *(*kv_last_error)(void);
} strata_state;

static int strata_put(void *self, const char *k, const char *v) {
  strata_state *s = self;
  if (s->kv_put(s->db, k, KEY_LEN, v, VALUE_LEN) != 0) die("kv_put", s->kv_last_error());
  return 0;
}

static int strata_get(void *self, const char *k) {
  strata_state *s = self;
  void *val = NULL;
  size_t len = 0;
  int rc = s->kv_get(s->db, k, KEY_LEN, &val, &len);
  if (rc == 1) return 0; /* KV_NOT_FOUND */
  if (rc != 0) die("kv_get", s->kv_last_error());
  s->kv_free(val);
  return 1;
}

static void strata_close(void *self) {
  strata_state *s = self;
  if (s->kv_close(s->db) != 0) die("kv_close", s->kv_last_error());
}

static engine open_strata(const char *library, const char *dir) {
  void *lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) die("dlopen", dlerror());
  static strata_state s;
  s.kv_put = symbol(lib, "kv_put");
  s.kv_get = symbol(lib, "kv_get");
  s.kv_free = symbol(lib, "kv_free");
  s.kv_close = symbol(lib, "kv_close");
  s.kv_last_error = symbol(lib, "kv_last_error");
  void *(*options_new)(void) = symbol(lib, "kv_options_new");
  int (*options_set)(void *, const char *, const char *) = symbol(lib, "kv_options_set");
  void (*options_free)(void *) = symbol(lib, "kv_options_free");
  int (*open)(const char *, const void *, void **) = symbol(lib, "kv_open");
  void *o = options_new();
  const char *settings[][2] = {{"memtable_bytes", "64M"},     {"block_cache_bytes", "64M"},
                               {"bloom_bits_per_key", "10"},  {"compression", "none"},
                               {"sync", "false"},             {"create_if_missing", "true"}};
  for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
    if (options_set(o, settings[i][0], settings[i][1]) != 0) die("kv_options_set", s.kv_last_error());
  }
  if (open(dir, o, &s.db) != 0) die("kv_open", s.kv_last_error());
  options_free(o);
  return (engine){strata_put, strata_get, strata_close, &s};
}

/* ---- LevelDB, through its C API (leveldb/c.h) ---------------------------- */

typedef struct {
  void *db, *write_options, *read_options;
  void (*put)(void *, void *, const char *, size_t, const char *, size_t, char **);
  char *(*get)(void *, void *, const char *, size_t, size_t *, char **);
  void (*free)(void *);
  void (*close)(void *);
} leveldb_state;

static int leveldb_put_one(void *self, const char *k, const char *v) {
  leveldb_state *s = self;
  char *err = NULL;
  s->put(s->db, s->write_options, k, KEY_LEN, v, VALUE_LEN, &err);
  if (err != NULL) die("leveldb_put", err);
  return 0;
}

static int leveldb_get_one(void *self, const char *k) {
  leveldb_state *s = self;
  char *err = NULL;
  size_t len = 0;
  char *val = s->get(s->db, s->read_options, k, KEY_LEN, &len, &err);
  if (err != NULL) die("leveldb_get", err);
  if (val == NULL) return 0;
  s->free(val);
  return 1;
}

static void leveldb_close_one(void *self) {
  leveldb_state *s = self;
  s->close(s->db);
}

static engine open_leveldb(const char *library, const char *dir) {
  void *lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) die("dlopen", dlerror());
  static leveldb_state s;
  s.put = symbol(lib, "leveldb_put");
  s.get = symbol(lib, "leveldb_get");
  s.free = symbol(lib, "leveldb_free");
  s.close = symbol(lib, "leveldb_close");
  void *(*options_create)(void) = symbol(lib, "leveldb_options_create");
  void (*set_bool)(void *, unsigned char) = symbol(lib, "leveldb_options_set_create_if_missing");
  void (*set_size)(void *, size_t) = symbol(lib, "leveldb_options_set_write_buffer_size");
  void *(*cache_create)(size_t) = symbol(lib, "leveldb_cache_create_lru");
  void (*set_cache)(void *, void *) = symbol(lib, "leveldb_options_set_cache");
  void *(*bloom_create)(int) = symbol(lib, "leveldb_filterpolicy_create_bloom");
  void (*set_filter)(void *, void *) = symbol(lib, "leveldb_options_set_filter_policy");
  void (*set_compression)(void *, int) = symbol(lib, "leveldb_options_set_compression");
  void *(*open)(const void *, const char *, char **) = symbol(lib, "leveldb_open");
  void *(*write_options)(void) = symbol(lib, "leveldb_writeoptions_create");
  void *(*read_options)(void) = symbol(lib, "leveldb_readoptions_create");
  void *o = options_create();
  set_bool(o, 1);
  set_size(o, 64u << 20);
  set_cache(o, cache_create(64u << 20));
  set_filter(o, bloom_create(10));
  set_compression(o, 0); /* leveldb_no_compression */
  char *err = NULL;
  s.db = open(o, dir, &err);
  if (err != NULL || s.db == NULL) die("leveldb_open", err);
  s.write_options = write_options(); /* sync = false by default */
  s.read_options = read_options();
  return (engine){leveldb_put_one, leveldb_get_one, leveldb_close_one, &s};
}

/* ---- The timed loops --------------------------------------------------------- */

typedef struct {
  double cpu_ns, wall_ns;
} per_op;

static per_op finish(uint64_t cpu0, uint64_t wall0, uint64_t n) {
  per_op r = {0, 0};
  if (n == 0) return r;
  r.cpu_ns = (double)(now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0) / (double)n;
  r.wall_ns = (double)(now_ns(CLOCK_MONOTONIC) - wall0) / (double)n;
  return r;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: c_floor strata|leveldb LIBRARY DB_DIR DATA_FILE\n");
    return 2;
  }
  FILE *f = fopen(argv[4], "rb");
  if (f == NULL) die("cannot open", argv[4]);
  uint64_t counts[3];
  if (fread(counts, sizeof counts, 1, f) != 1) die("short data file", argv[4]);
  uint64_t total = counts[0] + counts[1] + counts[2];
  char *values = malloc((size_t)VALUE_POOL * VALUE_LEN);
  char *keys = malloc((size_t)total * KEY_LEN);
  if (values == NULL || keys == NULL) die("out of memory", NULL);
  if (fread(values, VALUE_LEN, VALUE_POOL, f) != VALUE_POOL ||
      fread(keys, KEY_LEN, total, f) != total) {
    die("short data file", argv[4]);
  }
  fclose(f);

  engine e;
  if (strcmp(argv[1], "strata") == 0) {
    e = open_strata(argv[2], argv[3]);
  } else if (strcmp(argv[1], "leveldb") == 0) {
    e = open_leveldb(argv[2], argv[3]);
  } else {
    die("unknown engine (strata or leveldb)", argv[1]);
  }

  const char *put_keys = keys;
  const char *get_keys = put_keys + counts[0] * KEY_LEN;
  const char *miss_keys = get_keys + counts[1] * KEY_LEN;

  uint64_t cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID), wall0 = now_ns(CLOCK_MONOTONIC);
  for (uint64_t i = 0; i < counts[0]; i++) {
    e.put(e.state, put_keys + i * KEY_LEN, values + (i % VALUE_POOL) * VALUE_LEN);
  }
  per_op put = finish(cpu0, wall0, counts[0]);

  uint64_t found = 0;
  cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID), wall0 = now_ns(CLOCK_MONOTONIC);
  for (uint64_t i = 0; i < counts[1]; i++) found += (uint64_t)e.get(e.state, get_keys + i * KEY_LEN);
  per_op get = finish(cpu0, wall0, counts[1]);
  if (found != counts[1]) die("a present key was not found", NULL);

  cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID), wall0 = now_ns(CLOCK_MONOTONIC);
  for (uint64_t i = 0; i < counts[2]; i++) found += (uint64_t)e.get(e.state, miss_keys + i * KEY_LEN);
  per_op miss = finish(cpu0, wall0, counts[2]);
  if (found != counts[1]) die("a missing key was found", NULL);

  e.close(e.state);
  printf("{\"put\": {\"cpu_ns\": %.1f, \"wall_ns\": %.1f}, "
         "\"get\": {\"cpu_ns\": %.1f, \"wall_ns\": %.1f}, "
         "\"get_missing\": {\"cpu_ns\": %.1f, \"wall_ns\": %.1f}}\n",
         put.cpu_ns, put.wall_ns, get.cpu_ns, get.wall_ns, miss.cpu_ns, miss.wall_ns);
  free(keys);
  free(values);
  return 0;
}
