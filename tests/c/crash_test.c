/*
 * crash_test.c — kills a writing process at random moments and checks that
 * strata keeps its durability promise: with sync=true every acknowledged
 * kv_write survives, and a batch is applied entirely or not at all, also when
 * the process dies in the middle of it, in the middle of a flush or while
 * several writers share one fsync (group commit). Each cycle fork()s a writer
 * process that opens DIR with sync=true and a small memtable (so memtables
 * rotate and flushes and compactions run all the time) and writes batches
 * forever from THREADS threads. Batch <id> holds ten keys "b<id>-k<j>" with
 * values derived from id and j, plus its thread's marker key ("last" for
 * thread 0, "last.<t>" for thread t) = id; thread t writes the ids congruent
 * to t+1 modulo THREADS, in order. After each kv_write returns KV_OK the
 * writer sends the id down a pipe, and now and then it calls kv_flush. The
 * parent SIGKILLs it after 20-200 ms, drains the pipe to learn each thread's
 * highest acknowledged id, then (in another forked process, so that the
 * parent never holds engine threads across fork) opens DIR and checks that
 * every batch up to that id is present in full with the right values, that a
 * later batch is all-or-nothing and at most one step past the last
 * acknowledgement, and that each marker names its thread's newest complete
 * batch. Each batch also holds its thread's "junk" key "g<t>-<id>" (ids
 * zero-padded to 20 digits, so that they sort by number) and a range delete
 * of every junk key of that thread below its own id, so the verifier also
 * checks that range deletes survive the crash with their batch: each thread
 * must have exactly one junk key left, its newest complete batch's. The next
 * writer continues numbering after the newest batches found.
 *
 * Usage: crash_test [DIR|-] [CYCLES] [SEED] [THREADS]
 *   DIR      database directory; "-" or absent: a fresh one under $TMPDIR or
 *            /tmp, removed when every cycle passed. An existing DIR written
 *            by an earlier run with the same THREADS is continued (its
 *            markers are trusted).
 *   CYCLES   number of kill cycles, default 20.
 *   SEED     for the kill times and flush points (0 or absent: from the
 *            clock); printed so a run can be repeated.
 *   THREADS  writer threads per process, default 1, at most 16.
 * Prints "N passed, N failed" (cycles) and exits non-zero on any loss.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "strata/kv.h"
#include "test_util.h"

#define KEYS_PER_BATCH 10
#define FULL_MASK ((1u << KEYS_PER_BATCH) - 1)
#define MAX_THREADS 16
#define MAX_VALUE 1024

static int g_threads = 1;

/* The stream (writer thread) an id belongs to. */
static int stream_of(uint64_t id) { return (int)((id - 1) % (uint64_t)g_threads); }

/* The value of key j of batch id: "v<id>-<j>-" padded to 16..1015 bytes, so
 * that a batch is a few KiB and memtables fill (and flush) quickly. */
static size_t make_value(uint64_t id, int j, char *buf, size_t cap) {
  size_t want = 16 + (size_t)(((id * 7 + (uint64_t)j) * 37) % 1000);
  int n = snprintf(buf, cap, "v%" PRIu64 "-%d-", id, j);
  size_t len = (size_t)n;
  while (len < want && len + 1 < cap) {
    buf[len] = (char)('a' + (id + (uint64_t)j + len) % 26);
    len++;
  }
  return len;
}

static size_t make_key(uint64_t id, int j, char *buf, size_t cap) {
  return (size_t)snprintf(buf, cap, "b%" PRIu64 "-k%d", id, j);
}

static size_t junk_key(int stream, uint64_t id, char *buf, size_t cap) {
  return (size_t)snprintf(buf, cap, "g%d-%020" PRIu64, stream, id);
}

static size_t marker_key(int stream, char *buf, size_t cap) {
  if (stream == 0) return (size_t)snprintf(buf, cap, "last");
  return (size_t)snprintf(buf, cap, "last.%d", stream);
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

/* ---- The writer (a child process; never returns) ----------------------- */

struct writer_arg {
  kv_db *db;
  int stream;
  uint64_t first_id;
  int ack_fd;
  unsigned seed;
};

static void *writer_loop(void *p) {
  struct writer_arg *a = p;
  kv_batch *b = kv_batch_new();
  char marker[16];
  size_t marker_len = marker_key(a->stream, marker, sizeof marker);
  uint64_t id;
  int rc;
  for (id = a->first_id;; id += (uint64_t)g_threads) {
    char key[48], val[MAX_VALUE], idtext[32];
    int j;
    kv_batch_clear(b);
    for (j = 0; j < KEYS_PER_BATCH; j++) {
      size_t kl = make_key(id, j, key, sizeof key);
      size_t vl = make_value(id, j, val, sizeof val);
      if (kv_batch_put(b, key, kl, val, vl) != KV_OK) _exit(4);
    }
    int n = snprintf(idtext, sizeof idtext, "%" PRIu64, id);
    if (kv_batch_put(b, marker, marker_len, idtext, (size_t)n) != KV_OK) _exit(4);
    char junk[48], junk_floor[16];
    size_t jl = junk_key(a->stream, id, junk, sizeof junk);
    size_t fl = (size_t)snprintf(junk_floor, sizeof junk_floor, "g%d-", a->stream);
    if (kv_batch_delete_range(b, junk_floor, fl, junk, jl) != KV_OK) _exit(4);
    if (kv_batch_put(b, junk, jl, idtext, (size_t)n) != KV_OK) _exit(4);
    rc = kv_write(a->db, b);
    if (rc != KV_OK) {
      fprintf(stderr, "writer: kv_write(batch %" PRIu64 "): %s: %s\n", id, kv_status_name(rc),
              kv_last_error());
      _exit(4);
    }
    /* 8 bytes: atomic on a pipe even with several threads writing. */
    if (write_all(a->ack_fd, &id, sizeof id) != 0) _exit(5);
    if (a->stream == 0 && rand_r(&a->seed) % 16 == 0) {
      rc = kv_flush(a->db);
      if (rc != KV_OK) {
        fprintf(stderr, "writer: kv_flush: %s: %s\n", kv_status_name(rc), kv_last_error());
        _exit(6);
      }
    }
  }
  return NULL;
}

static void run_writer(const char *dir, const uint64_t *first_ids, int ack_fd, unsigned seed) {
  kv_options *o = kv_options_new();
  if (o == NULL || kv_options_set(o, "sync", "true") != KV_OK ||
      kv_options_set(o, "memtable_bytes", "128K") != KV_OK) {
    fprintf(stderr, "writer: options: %s\n", kv_last_error());
    _exit(3);
  }
  kv_db *db = NULL;
  int rc = kv_open(dir, o, &db);
  kv_options_free(o);
  if (rc != KV_OK) {
    fprintf(stderr, "writer: kv_open: %s: %s\n", kv_status_name(rc), kv_last_error());
    _exit(3);
  }
  struct writer_arg args[MAX_THREADS];
  pthread_t threads[MAX_THREADS];
  int t;
  for (t = 0; t < g_threads; t++) {
    args[t].db = db;
    args[t].stream = t;
    args[t].first_id = first_ids[t];
    args[t].ack_fd = ack_fd;
    args[t].seed = seed + (unsigned)t;
    if (t > 0 && pthread_create(&threads[t], NULL, writer_loop, &args[t]) != 0) _exit(3);
  }
  writer_loop(&args[0]);
  _exit(7);
}

/* ---- The verifier (a child process) -------------------------------------
 * Checks DIR against acked[t], each stream's highest acknowledged batch id,
 * and writes each stream's newest complete batch id and the entry count to
 * result_fd. With trust_marker, the markers found in the database raise
 * acked[] (continuing an earlier run). Exits 0 when everything holds, 1 on a
 * violation, 2 when it cannot check. */

static void run_verifier(const char *dir, const uint64_t *acked_in, int trust_marker,
                         int result_fd) {
  uint64_t acked[MAX_THREADS], marker[MAX_THREADS], newest[MAX_THREADS];
  kv_db *db = NULL;
  int rc = kv_open(dir, NULL, &db);
  int bad = 0, t;
  if (rc != KV_OK) {
    fprintf(stderr, "verify: kv_open after the crash: %s: %s\n", kv_status_name(rc),
            kv_last_error());
    _exit(2);
  }

  /* The markers, through kv_get. */
  uint64_t most = 0;
  for (t = 0; t < g_threads; t++) {
    char mk[16];
    size_t mkl = marker_key(t, mk, sizeof mk);
    void *mv = NULL;
    size_t ml = 0;
    acked[t] = acked_in[t];
    marker[t] = 0;
    newest[t] = 0;
    rc = kv_get(db, mk, mkl, &mv, &ml);
    if (rc == KV_OK) {
      char text[32];
      snprintf(text, sizeof text, "%.*s", (int)(ml < 31 ? ml : 31), (const char *)mv);
      marker[t] = strtoull(text, NULL, 10);
    } else if (rc != KV_NOT_FOUND) {
      fprintf(stderr, "verify: kv_get(%s): %s: %s\n", mk, kv_status_name(rc), kv_last_error());
      bad++;
    }
    kv_free(mv);
    if (trust_marker && marker[t] > acked[t]) acked[t] = marker[t];
    if (acked[t] > most) most = acked[t];
  }

  /* Every key, through one iterator: a bitmap of the keys present per id. */
  size_t cap = (size_t)most + 1024;
  uint16_t *mask = calloc(cap, sizeof *mask);
  if (mask == NULL) _exit(2);
  kv_iter *it = NULL;
  rc = kv_iter_new(db, NULL, 0, NULL, 0, &it);
  if (rc != KV_OK) {
    fprintf(stderr, "verify: kv_iter_new: %s: %s\n", kv_status_name(rc), kv_last_error());
    _exit(2);
  }
  const void *k, *v;
  size_t kl, vl;
  uint64_t entries = 0;
  uint64_t junk_count[MAX_THREADS] = {0}, junk_id[MAX_THREADS] = {0};
  while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) {
    char key[64], want[MAX_VALUE];
    uint64_t id;
    int j, used = 0;
    entries++;
    snprintf(key, sizeof key, "%.*s", (int)(kl < 63 ? kl : 63), (const char *)k);
    if (strncmp(key, "last", 4) == 0) continue;
    if (key[0] == 'g') {
      if (sscanf(key, "g%d-%" SCNu64 "%n", &j, &id, &used) != 2 || (size_t)used != kl || j < 0 ||
          j >= g_threads) {
        fprintf(stderr, "verify: unexpected key \"%s\"\n", key);
        bad++;
      } else {
        junk_count[j]++;
        junk_id[j] = id;
      }
      continue;
    }
    if (sscanf(key, "b%" SCNu64 "-k%d%n", &id, &j, &used) != 2 || (size_t)used != kl || j < 0 ||
        j >= KEYS_PER_BATCH || id == 0) {
      fprintf(stderr, "verify: unexpected key \"%s\"\n", key);
      bad++;
      continue;
    }
    size_t wl = make_value(id, j, want, sizeof want);
    if (vl != wl || memcmp(v, want, wl) != 0) {
      fprintf(stderr, "verify: wrong value for %s: \"%.*s\"\n", key, (int)(vl < 80 ? vl : 80),
              (const char *)v);
      bad++;
      continue;
    }
    if (id >= cap) {
      size_t ncap = (size_t)id * 2 + 1024;
      uint16_t *m = realloc(mask, ncap * sizeof *m);
      if (m == NULL) _exit(2);
      memset(m + cap, 0, (ncap - cap) * sizeof *m);
      mask = m;
      cap = ncap;
    }
    mask[id] |= (uint16_t)(1u << j);
  }
  if (rc != KV_END) {
    fprintf(stderr, "verify: iterator ended with %s: %s\n", kv_status_name(rc), kv_last_error());
    bad++;
  }
  kv_iter_free(it);

  /* Acknowledged batches: complete. Later ones: complete or absent, and at
   * most one step past their stream's last acknowledgement. */
  uint64_t id, missing = 0, torn = 0, phantom = 0;
  for (id = 1; id < cap; id++) {
    int s = stream_of(id);
    if (mask[id] == FULL_MASK && id > newest[s]) newest[s] = id;
    if (id <= acked[s]) {
      if (mask[id] != FULL_MASK) {
        if (missing < 5) {
          fprintf(stderr, "verify: acknowledged batch %" PRIu64 " has keys 0x%03x of 0x%03x\n",
                  id, mask[id], FULL_MASK);
        }
        missing++;
      }
    } else if (mask[id] != 0) {
      if (mask[id] != FULL_MASK) {
        fprintf(stderr, "verify: torn batch %" PRIu64 ": keys 0x%03x of 0x%03x\n", id, mask[id],
                FULL_MASK);
        torn++;
      } else if (id > acked[s] + (uint64_t)g_threads) {
        fprintf(stderr,
                "verify: batch %" PRIu64 " found but never written (thread %d acked %" PRIu64
                ")\n",
                id, s, acked[s]);
        phantom++;
      }
    }
  }
  if (missing) fprintf(stderr, "verify: %" PRIu64 " acknowledged batches lost\n", missing);
  for (t = 0; t < g_threads; t++) {
    if (newest[t] != marker[t]) {
      fprintf(stderr,
              "verify: thread %d's marker is %" PRIu64 " but its newest complete batch is %" PRIu64
              "\n",
              t, marker[t], newest[t]);
      bad++;
    }
    /* The range deletes of the batches kept only the newest one's junk. */
    if (junk_count[t] != (newest[t] > 0 ? 1u : 0u) || junk_id[t] != newest[t]) {
      fprintf(stderr,
              "verify: thread %d has %" PRIu64 " junk keys (the last for batch %" PRIu64
              "); want one, for its newest batch %" PRIu64 "\n",
              t, junk_count[t], junk_id[t], newest[t]);
      bad++;
    }
    /* Point reads agree with the scan for the newest batch. */
    if (newest[t] > 0) {
      int j;
      for (j = 0; j < KEYS_PER_BATCH; j++) {
        char key[48], want[MAX_VALUE];
        size_t wkl = make_key(newest[t], j, key, sizeof key);
        size_t wl = make_value(newest[t], j, want, sizeof want);
        void *got = NULL;
        size_t gl = 0;
        rc = kv_get(db, key, wkl, &got, &gl);
        if (rc != KV_OK || gl != wl || memcmp(got, want, wl) != 0) {
          fprintf(stderr, "verify: kv_get(%s): %s\n", key, kv_status_name(rc));
          bad++;
        }
        kv_free(got);
      }
    }
  }

  rc = kv_close(db);
  if (rc != KV_OK) {
    fprintf(stderr, "verify: kv_close: %s: %s\n", kv_status_name(rc), kv_last_error());
    bad++;
  }
  free(mask);
  uint64_t result[MAX_THREADS + 1];
  for (t = 0; t < g_threads; t++) result[t] = newest[t];
  result[g_threads] = entries;
  if (write_all(result_fd, result, sizeof(uint64_t) * (size_t)(g_threads + 1)) != 0) _exit(2);
  _exit(bad || missing || torn || phantom ? 1 : 0);
}

/* Runs the verifier in a child and returns its exit status (0 good); writes
 * each stream's newest complete batch to newest[] and the entry count to
 * *entries. */
static int verify(const char *dir, const uint64_t *acked, int trust_marker, uint64_t *newest,
                  uint64_t *entries) {
  int fds[2];
  if (pipe(fds) != 0) return 2;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return 2;
  if (pid == 0) {
    close(fds[0]);
    run_verifier(dir, acked, trust_marker, fds[1]);
  }
  close(fds[1]);
  uint64_t result[MAX_THREADS + 1];
  size_t want = sizeof(uint64_t) * (size_t)(g_threads + 1), got = 0;
  while (got < want) {
    ssize_t n = read(fds[0], (char *)result + got, want - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fds[0]);
  int status, t;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (got == want) {
    for (t = 0; t < g_threads; t++) newest[t] = result[t];
    *entries = result[g_threads];
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  fprintf(stderr, "verify: verifier died with signal %d\n",
          WIFSIGNALED(status) ? WTERMSIG(status) : -1);
  return 2;
}

/* Reads whole 8-byte acknowledgements from fd into acked[stream] (the
 * maximum per stream); `buf`/`*have` carry a partial record between calls.
 * Returns 0 at EOF. */
static int drain(int fd, char *buf, size_t *have, uint64_t *acked, uint64_t *count) {
  ssize_t n = read(fd, buf + *have, 4096 - *have);
  if (n < 0) return errno == EINTR ? 1 : 0;
  if (n == 0) return 0;
  *have += (size_t)n;
  size_t off = 0;
  while (*have - off >= sizeof(uint64_t)) {
    uint64_t id;
    memcpy(&id, buf + off, sizeof id);
    if (id > 0) {
      int s = stream_of(id);
      if (id > acked[s]) acked[s] = id;
      (*count)++;
    }
    off += sizeof id;
  }
  memmove(buf, buf + off, *have - off);
  *have -= off;
  return 1;
}

int main(int argc, char **argv) {
  char dirbuf[4096];
  const char *dir = argc > 1 ? argv[1] : "-";
  int cycles = argc > 2 ? atoi(argv[2]) : 20;
  unsigned seed = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 0;
  int made_dir = 0, cycle, t;
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (seed == 0) seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
  const unsigned first_seed = seed;
  if (cycles <= 0) cycles = 20;
  g_threads = argc > 4 ? atoi(argv[4]) : 1;
  if (g_threads < 1 || g_threads > MAX_THREADS) {
    fprintf(stderr, "THREADS must be 1 to %d\n", MAX_THREADS);
    return 2;
  }

  if (strcmp(dir, "-") == 0 || dir[0] == '\0') {
    tu_make_temp_dir(NULL, "strata-crash", dirbuf, sizeof dirbuf);
    dir = dirbuf;
    made_dir = 1;
  } else if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    perror(dir);
    return 2;
  }
  printf("crash_test: %s, %d cycles, %d writer thread%s, seed %u\n", dir, cycles, g_threads,
         g_threads == 1 ? "" : "s", first_seed);

  /* known[t]: thread t's newest batch known to be complete. */
  uint64_t known[MAX_THREADS], zero[MAX_THREADS], entries = 0, total_acks = 0;
  for (t = 0; t < g_threads; t++) known[t] = zero[t] = 0;

  /* Continue an earlier run's database (or check an empty one). */
  if (verify(dir, zero, 1, known, &entries) != 0) {
    printf("the database in %s fails verification before any crash\n", dir);
    tu_failed++;
    return tu_finish();
  }
  if (entries > 0) printf("continuing with %" PRIu64 " entries\n", entries);

  for (cycle = 1; cycle <= cycles; cycle++) {
    int fds[2];
    uint64_t first_ids[MAX_THREADS], acked[MAX_THREADS], high[MAX_THREADS];
    uint64_t newest[MAX_THREADS], acks = 0, high_max = 0, newest_max = 0;
    for (t = 0; t < g_threads; t++) {
      first_ids[t] = known[t] > 0 ? known[t] + (uint64_t)g_threads : (uint64_t)t + 1;
      acked[t] = 0;
      newest[t] = known[t];
    }
    if (pipe(fds) != 0) {
      perror("pipe");
      return 2;
    }
    unsigned writer_seed = (unsigned)rand_r(&seed);
    int delay = 20 + (int)(rand_r(&seed) % 181);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 2;
    }
    if (pid == 0) {
      close(fds[0]);
      run_writer(dir, first_ids, fds[1], writer_seed);
    }
    close(fds[1]);

    /* Collect acknowledgements until the kill time, then kill and drain. */
    char buf[4096];
    size_t have = 0;
    int64_t deadline = now_ms() + delay;
    int open = 1;
    for (;;) {
      int64_t left = deadline - now_ms();
      if (left <= 0) break;
      struct pollfd p = {fds[0], POLLIN, 0};
      int r = poll(&p, 1, (int)left);
      if (r > 0) open = drain(fds[0], buf, &have, acked, &acks);
      if (!open) break; /* the writer exited on its own: an error */
    }
    kill(pid, SIGKILL);
    while (open) open = drain(fds[0], buf, &have, acked, &acks);
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int ok = 1;
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
      printf("cycle %d: the writer stopped by itself (exit status %d) before the kill\n", cycle,
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
      ok = 0;
    }

    for (t = 0; t < g_threads; t++) {
      high[t] = acked[t] > known[t] ? acked[t] : known[t];
      if (high[t] > high_max) high_max = high[t];
    }
    int v = verify(dir, high, 0, newest, &entries);
    if (v != 0) ok = 0;
    for (t = 0; t < g_threads; t++) {
      if (newest[t] > newest_max) newest_max = newest[t];
    }
    printf("cycle %d: killed after %d ms, %" PRIu64 " batches acknowledged (up to %" PRIu64
           "), newest complete batch %" PRIu64 ", %" PRIu64 " entries: %s\n",
           cycle, delay, acks, high_max, newest_max, entries, ok ? "ok" : "FAILED");
    total_acks += acks;
    if (ok) {
      tu_passed++;
    } else {
      tu_failed++;
    }
    for (t = 0; t < g_threads; t++) {
      if (newest[t] > known[t]) known[t] = newest[t];
    }
    if (v == 2) break; /* cannot even open: later cycles would say nothing new */
  }

  if (total_acks == 0) {
    printf("no batch was acknowledged in any cycle: the test exercised nothing\n");
    tu_failed++;
  }
  if (tu_failed == 0 && made_dir) {
    if (tu_remove_tree(dir) != 0) fprintf(stderr, "could not remove %s\n", dir);
  } else if (tu_failed) {
    printf("keeping %s for inspection (repeat the kill times with: crash_test - %d %u %d)\n",
           dir, cycles, first_seed, g_threads);
  }
  return tu_finish();
}
